import { once } from 'node:events';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Transform, type TransformCallback } from 'node:stream';

/** One UploadPart that passed through: answered with `status`, or cut off (`status` undefined). */
export interface SeenPart {
  uploadId: string;
  partNumber: number;
  status: number | undefined;
  /** Who signed it: the access key id of the credentials the client used. */
  accessKeyId: string | undefined;
}

export interface DockProxy {
  /** Give it to LFS as LFS_AWS_PUBLIC_ENDPOINT: clients then reach the dock through here. */
  url: string;
  /** Where requests go; set once the stack (and its endpoint) runs. */
  target: string;
  /** Every UploadPart request, in the order they started. */
  parts: SeenPart[];
  /** Request bodies, all connections together, go no faster than this (bytes per second); Infinity: as fast as they come. */
  rate: number;
  stop(): Promise<void>;
}

/**
 * A plain HTTP proxy in front of the embedded endpoint: the network between
 * the client and the dock, where a test counts UploadPart requests and sets
 * the bandwidth. Requests pass unchanged (the Host header the client signed
 * included), so SigV4 still verifies.
 */
export async function startDockProxy(): Promise<DockProxy> {
  let nextFree = 0;
  const proxy: DockProxy = { url: '', target: '', parts: [], rate: Infinity, stop: async () => {} };

  /** Delays each chunk so that the bytes of every body together keep to `proxy.rate`. */
  const paced = () =>
    new Transform({
      transform(chunk: Buffer, _encoding, done: TransformCallback) {
        if (!Number.isFinite(proxy.rate)) return done(null, chunk);
        const now = Date.now();
        const start = Math.max(now, nextFree);
        nextFree = start + (chunk.length / proxy.rate) * 1000;
        setTimeout(() => done(null, chunk), start - now);
      },
    });

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const partNumber = url.searchParams.get('partNumber');
    const uploadId = url.searchParams.get('uploadId');
    const seen: SeenPart | undefined = req.method === 'PUT' && partNumber && uploadId ? { uploadId, partNumber: Number(partNumber), status: undefined, accessKeyId: /Credential=([^/]+)\//.exec(req.headers.authorization ?? '')?.[1] } : undefined;
    if (seen) proxy.parts.push(seen);
    const target = new URL(proxy.target);
    const upstream = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      if (seen) seen.status = answer.statusCode;
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    // Headers go at once, as on a slow link; only the body waits for bandwidth.
    upstream.flushHeaders();
    upstream.on('error', () => res.destroy());
    // A client that goes away (an aborted upload) takes its request to the endpoint with it.
    req.on('aborted', () => upstream.destroy());
    res.on('close', () => !res.writableFinished && upstream.destroy());
    req.pipe(paced()).pipe(upstream);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.stop = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return proxy;
}
