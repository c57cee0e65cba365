import { createServer, type IncomingMessage, type Server, type ServerOptions, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { Readable } from 'node:stream';
import type { RawRequest } from './dispatch.js';
import type { AwsResponse } from './types.js';

/**
 * Past this many unread request bytes an early error response closes the
 * connection instead of draining a multi-gigabyte body nobody wants.
 */
const MAX_DRAIN = 16 * 1024 * 1024;

/**
 * The node:http binding: IncomingMessage in, AwsResponse out. No protocol
 * logic here. With `tls` (PEM certificate and key) it serves HTTPS, and its
 * requests count as TLS for `aws:SecureTransport`.
 */
export function createHttpServer(
  handle: (raw: RawRequest) => Promise<AwsResponse & { requestId: string }>,
  secure: boolean,
  tls?: { cert: Buffer; key: Buffer },
): Server {
  const options: ServerOptions = { requestTimeout: 0, keepAliveTimeout: 65_000 };
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    void serve(handle, secure, req, res);
  };
  // An https.Server is an http.Server to everything that follows (it extends tls.Server with the same events).
  const server = tls ? (createHttpsServer({ ...options, ...tls }, listener) as unknown as Server) : createServer(options, listener);
  // Without this listener Node answers `Expect: 100-continue` at once, and a
  // client then sends a body we may refuse (bad signature, no bucket). Here the
  // 100 goes out only when a handler starts reading the body.
  server.on('checkContinue', (req, res) => {
    continueOnFirstRead(req, res);
    void serve(handle, secure, req, res);
  });
  // A peer that resets mid-request must not take the process down.
  server.on('clientError', (_error, socket) => socket.destroy());
  return server;
}

/** Requests whose client still waits for `100 Continue` (nothing has read their body yet). */
const awaitingContinue = new WeakSet<IncomingMessage>();

function continueOnFirstRead(req: IncomingMessage, res: ServerResponse): void {
  awaitingContinue.add(req);
  const read = req.read.bind(req);
  // Every way of consuming a Readable (pipe, 'data', async iteration) goes through read().
  req.read = (size?: number) => {
    if (awaitingContinue.delete(req)) {
      req.read = read;
      if (!res.headersSent) res.writeContinue();
    }
    return read(size);
  };
}

async function serve(handle: (raw: RawRequest) => Promise<AwsResponse & { requestId: string }>, secure: boolean, req: IncomingMessage, res: ServerResponse): Promise<void> {
  req.on('error', () => {});
  res.on('error', () => {});
  const gone = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) gone.abort();
  });
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
    signal: gone.signal,
  };
  const response = await handle(raw);
  if (response.onUndelivered) {
    if (gone.signal.aborted) response.onUndelivered();
    else res.on('close', () => !res.writableFinished && response.onUndelivered!());
  }
  res.statusCode = response.status;
  res.setHeader('x-amz-request-id', response.requestId);
  res.setHeader('x-amz-id-2', Buffer.from(response.requestId).toString('base64'));
  res.setHeader('server', 'lfs-local-aws');
  for (const [name, value] of Object.entries(response.headers ?? {})) res.setHeader(name, value);
  if (!req.complete) {
    const declared = Number(headers['content-length'] ?? Infinity);
    // A client still waiting for its 100 Continue will not send the body: the connection cannot carry another request.
    if (!(declared < MAX_DRAIN) || awaitingContinue.has(req)) {
      res.setHeader('connection', 'close');
      res.on('finish', () => req.socket.destroySoon());
    } else {
      // Drain what nobody read (it may be piped into a verifier no one consumes),
      // or the client blocks sending it and never reads this response.
      req.unpipe();
      req.resume();
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
