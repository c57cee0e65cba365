import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * What LFS answers while its resources are missing or drifted: alive
 * (`/healthz`), not ready (`/readyz` 503 with each problem and its fix),
 * and every other route 503 with the same list, since no upload or
 * promotion could succeed.
 */
export function createNotReadyHandler(problems: () => string[]) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    const body = path === '/readyz' ? { status: 'not ready', problems: problems() } : { error: 'LFS is not ready', problems: problems() };
    res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '30' }).end(JSON.stringify(body));
  };
}
