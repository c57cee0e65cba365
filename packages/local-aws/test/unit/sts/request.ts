import { Readable } from 'node:stream';
import type { AwsRequest, Principal } from '../../../src/types.js';

let counter = 0;

/** A request as the HTTP binding hands it to a protocol handler. */
export function awsRequest(principal: Principal, init: { body?: string; headers?: Record<string, string>; rawPath?: string } = {}): AwsRequest {
  const body = init.body ?? '';
  return {
    method: 'POST',
    rawPath: init.rawPath ?? '/',
    query: new URLSearchParams(),
    headers: init.headers ?? {},
    body: Readable.from(body ? [Buffer.from(body)] : []),
    contentLength: Buffer.byteLength(body),
    trailers: () => ({}),
    secure: false,
    principal,
    sourceIp: '127.0.0.1',
    requestId: `req-${++counter}`,
  };
}
