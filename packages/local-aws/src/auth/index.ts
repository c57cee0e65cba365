import { createHash, type Hash } from 'node:crypto';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { AwsError } from '../errors.js';
import type { CredentialStore } from '../iam/credentials.js';
import type { Principal } from '../types.js';
import { AwsChunkedDecoder } from './chunked.js';
import { checkTime, parseClaim, sha256Hex, verifySignature, type SignatureClaim } from './sigv4.js';

export { AwsChunkedDecoder } from './chunked.js';

/** Bodies of services that sign the payload hash without sending it (STS, SQS) are read whole; they are small. */
const MAX_BUFFERED_BODY = 2 * 1024 * 1024;

const UNSIGNED = 'UNSIGNED-PAYLOAD';
const STREAMING_UNSIGNED_TRAILER = 'STREAMING-UNSIGNED-PAYLOAD-TRAILER';
const STREAMING_SIGNED = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD';
const STREAMING_SIGNED_TRAILER = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER';

/** The request as the HTTP binding hands it over: the body still raw (maybe aws-chunked). */
export interface RawBody {
  /** Node's `rawHeaders`: name, value, name, value, ... (needed for exact canonical headers). */
  rawHeaders: string[];
  body: Readable;
  /** HTTP/1.1 chunked-encoding trailers, complete once `body` has ended. */
  httpTrailers(): Record<string, string>;
}

export interface IncomingParts {
  method: string;
  rawPath: string;
  rawQuery: string;
  query: URLSearchParams;
  headers: Record<string, string>;
}

export interface Authenticated {
  /** The credential scope's service; `s3` for anonymous requests. */
  service: string;
  /** True when the request carried no signature at all. */
  anonymous: boolean;
  principal: Principal;
  /** The payload, de-chunked and verified while it is read. */
  body: Readable;
  contentLength?: number;
  trailers: () => Record<string, string>;
  /** See AwsRequest.payloadToVerify. */
  payloadToVerify?: { body: Readable; sha256: string };
}

/**
 * Authenticates one request: checks the SigV4 signature (header or presigned
 * query), resolves the principal, and wraps the body so that the payload hash,
 * chunk signatures and chunk framing are verified as it streams.
 */
export async function authenticate(raw: RawBody, parts: IncomingParts, credentials: CredentialStore, now = new Date()): Promise<Authenticated> {
  const { headers } = parts;
  // A CORS preflight is never signed, even when its URL is a presigned one (the browser repeats the query string).
  const claim = parts.method === 'OPTIONS' ? undefined : parseClaim(headers, parts.query);
  const chunked = (headers['content-encoding'] ?? '').split(',').some((v) => v.trim() === 'aws-chunked');
  const contentSha = headers['x-amz-content-sha256'];
  if (!claim) {
    const decoder = chunked || contentSha === STREAMING_UNSIGNED_TRAILER ? new AwsChunkedDecoder({ decodedLength: decodedLength(headers) }) : undefined;
    const body = decoder ? forward(raw.body, decoder) : raw.body;
    return { service: 's3', anonymous: true, principal: { kind: 'anonymous' }, body, contentLength: lengthOf(headers, !!decoder), trailers: trailersOf(raw, decoder) };
  }
  checkTime(claim, now);
  const resolved = credentials.resolve(claim.accessKeyId, claim.sessionToken, now);
  const signed = { method: parts.method, rawPath: parts.rawPath, rawQuery: parts.rawQuery, rawHeaders: raw.rawHeaders };
  const req = raw.body;
  const payloadHash = contentSha ?? (claim.location === 'query' ? parts.query.get('X-Amz-Content-Sha256') ?? UNSIGNED : undefined);

  if (payloadHash === undefined) {
    // STS and SQS sign the body hash without sending it: read the (small) body first.
    const buffered = await readAll(req, MAX_BUFFERED_BODY);
    verifySignature(claim, { ...signed, payloadHash: sha256Hex(buffered) }, resolved.secretAccessKey);
    return result(claim, resolved.principal, Readable.from([buffered]), buffered.length, () => ({}));
  }

  const key = verifySignature(claim, { ...signed, payloadHash }, resolved.secretAccessKey);
  switch (payloadHash) {
    case UNSIGNED:
      if (chunked) break;
      return result(claim, resolved.principal, req, lengthOf(headers, false), trailersOf(raw));
    case STREAMING_UNSIGNED_TRAILER:
      break;
    case STREAMING_SIGNED:
    case STREAMING_SIGNED_TRAILER: {
      const signing = { signingKey: key, amzDate: claim.amzDate, scope: claim.scope, seedSignature: claim.signature };
      const decoder = new AwsChunkedDecoder({ signing, decodedLength: decodedLength(headers) });
      return result(claim, resolved.principal, forward(req, decoder), lengthOf(headers, true), trailersOf(raw, decoder));
    }
    default: {
      if (!/^[0-9a-f]{64}$/.test(payloadHash)) {
        throw new AwsError('InvalidArgument', 'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-* or a hex SHA-256 of the payload.');
      }
      const decoder = chunked ? new AwsChunkedDecoder({ decodedLength: decodedLength(headers) }) : undefined;
      const verifier = new Sha256Verifier(payloadHash);
      const body = decoder ? forward(forward(req, verifier), decoder) : forward(req, verifier);
      const payloadToVerify = decoder ? undefined : { body: req, sha256: payloadHash };
      return { ...result(claim, resolved.principal, body, lengthOf(headers, !!decoder), trailersOf(raw, decoder)), payloadToVerify };
    }
  }
  const decoder = new AwsChunkedDecoder({ decodedLength: decodedLength(headers) });
  return result(claim, resolved.principal, forward(req, decoder), lengthOf(headers, true), trailersOf(raw, decoder));
}

function result(claim: SignatureClaim, principal: Principal, body: Readable, contentLength: number | undefined, trailers: () => Record<string, string>): Authenticated {
  return { service: claim.service, anonymous: false, principal, body, contentLength, trailers };
}

function decodedLength(headers: Record<string, string>): number | undefined {
  const value = headers['x-amz-decoded-content-length'];
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new AwsError('InvalidArgument', 'x-amz-decoded-content-length is not a valid length.');
  return n;
}

function lengthOf(headers: Record<string, string>, chunked: boolean): number | undefined {
  if (chunked) return decodedLength(headers);
  const value = headers['content-length'];
  return value === undefined ? undefined : Number(value);
}

function trailersOf(raw: RawBody, decoder?: AwsChunkedDecoder): () => Record<string, string> {
  return () => (decoder ? { ...raw.httpTrailers(), ...decoder.trailers } : raw.httpTrailers());
}

/**
 * Pipes without `pipeline()`: a verification failure must error the body the
 * handler reads but leave the socket alone, so the error can still be sent.
 */
function forward(source: Readable, target: Transform): Transform {
  // A handler that refused the request never reads the body; its failure then has no reader to reach.
  target.on('error', () => {});
  source.on('error', (error) => target.destroy(error));
  source.on('close', () => {
    if (!source.readableEnded) target.destroy(new AwsError('IncompleteBody', 'The connection closed before the body was complete.'));
  });
  // The source flows only once a handler reads: a request refused before that
  // (no bucket, denied) never asks its client for the body (`100 Continue`).
  const read = target._read.bind(target);
  target._read = (size: number) => {
    target._read = read;
    source.pipe(target);
    read(size);
  };
  return target;
}

/** Hashes the payload as it passes and fails the stream at its end when the hash differs from the signed one. */
class Sha256Verifier extends Transform {
  private readonly hash: Hash = createHash('sha256');
  constructor(private readonly expected: string) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    callback(null, chunk);
  }
  override _flush(callback: TransformCallback): void {
    const actual = this.hash.digest('hex');
    callback(actual === this.expected ? null : new AwsError('XAmzContentSHA256Mismatch', undefined, { ClientComputedContentSHA256: this.expected, S3ComputedContentSHA256: actual }));
  }
}

export async function readAll(stream: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new AwsError('EntityTooLarge', 'The request body is too large for this operation.');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
