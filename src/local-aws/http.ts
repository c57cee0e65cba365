import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { Readable } from 'node:stream';
import type { RawRequest } from './router.js';
import type { AwsResponse } from './types.js';

/**
 * Past this many unread request bytes an early error response closes the
 * connection instead of draining a multi-gigabyte body nobody wants.
 */
const MAX_DRAIN = 16 * 1024 * 1024;

/** The node:http binding: IncomingMessage in, AwsResponse out. No protocol logic here. */
export function createHttpServer(handle: (raw: RawRequest) => Promise<AwsResponse & { requestId: string }>, secure: boolean): Server {
  const server = createServer({ requestTimeout: 0, keepAliveTimeout: 65_000 }, (req, res) => {
    void serve(handle, secure, req, res);
  });
  // A peer that resets mid-request must not take the process down.
  server.on('clientError', (_error, socket) => socket.destroy());
  return server;
}

async function serve(handle: (raw: RawRequest) => Promise<AwsResponse & { requestId: string }>, secure: boolean, req: IncomingMessage, res: ServerResponse): Promise<void> {
  req.on('error', () => {});
  res.on('error', () => {});
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const raw: RawRequest = {
    method: req.method ?? 'GET',
    url: req.url ?? '/',
    headers,
    rawHeaders: req.rawHeaders,
    body: req,
    httpTrailers: () => {
      const out: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.trailers)) if (typeof value === 'string') out[name.toLowerCase()] = value;
      return out;
    },
    sourceIp: req.socket.remoteAddress ?? '',
    secure: secure || Boolean((req.socket as TLSSocket).encrypted),
  };
  const response = await handle(raw);
  res.statusCode = response.status;
  res.setHeader('x-amz-request-id', response.requestId);
  res.setHeader('x-amz-id-2', Buffer.from(response.requestId).toString('base64'));
  res.setHeader('server', 'lfs-local-aws');
  for (const [name, value] of Object.entries(response.headers ?? {})) res.setHeader(name, value);
  if (!req.complete) {
    const declared = Number(headers['content-length'] ?? Infinity);
    if (!(declared < MAX_DRAIN)) {
      res.setHeader('connection', 'close');
      res.on('finish', () => req.socket.destroySoon());
    }
  }
  const body = response.body;
  if (body === undefined || req.method === 'HEAD') {
    if (body instanceof Readable) body.destroy();
    res.end();
  } else if (typeof body === 'string' || Buffer.isBuffer(body)) {
    if (!res.hasHeader('content-length')) res.setHeader('content-length', Buffer.byteLength(body));
    res.end(body);
  } else {
    body.on('error', () => res.destroy());
    res.on('close', () => body.destroy());
    body.pipe(res);
  }
}
