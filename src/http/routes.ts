import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ReadinessProbe } from './health.js';
import { SCRIPT_PATH, type UploadPage } from '../web/page.js';

/** The HTTP endpoints beside GraphQL (../shared/API.md), and GraphQL itself on /graphql. */
export function createRouter(
  yoga: (req: IncomingMessage, res: ServerResponse) => unknown,
  readiness: ReadinessProbe,
  fallbackUpload: (req: IncomingMessage, res: ServerResponse, fileId: string) => Promise<void>,
  uploadPage: UploadPage,
) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0];
    const upload = /^\/uploads\/([A-Za-z0-9_-]{1,64})$/.exec(path);
    if (upload && req.method === 'PUT') {
      void fallbackUpload(req, res, upload[1]);
      return;
    }
    switch (path) {
      case '/healthz':
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
        return;
      case '/readyz':
        void readiness.check().then(({ ready, checks }) => {
          res
            .writeHead(ready ? 200 : 503, { 'content-type': 'application/json' })
            .end(JSON.stringify({ status: ready ? 'ready' : 'not ready', checks }));
        });
        return;
      case '/graphql':
        void yoga(req, res);
        return;
      case '/':
      case SCRIPT_PATH:
        void uploadPage.serve(req, res, path);
        return;
      default:
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
    }
  };
}

/** The host part of a URL for a listen address (wildcards are reached on loopback). */
export function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
