import type { IncomingMessage, ServerResponse } from 'node:http';
import { SCRIPT_PATH, type UploadPage } from '../web/page.js';
import type { FallbackUploadHandler } from './fallback-upload.js';
import type { ReadinessProbe } from './health.js';
import { INTAKE_PREFIX, type S3EventIntakeHandler } from './s3-event-intake.js';

export interface Routes {
  /** GraphQL over HTTP and SSE (yoga's node:http handler). */
  graphql: (req: IncomingMessage, res: ServerResponse) => unknown;
  readiness: ReadinessProbe;
  fallbackUpload: FallbackUploadHandler;
  uploadPage: UploadPage;
  /** S3 event notifications pushed over HTTP (POST /events/s3/<secret>). */
  s3EventIntake: S3EventIntakeHandler;
}

/** The HTTP endpoints beside GraphQL (probes, the fallback upload, the upload page), and GraphQL itself on /graphql. */
export function createRouter(routes: Routes) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0];
    const upload = /^\/uploads\/([A-Za-z0-9_-]{1,64})$/.exec(path);
    if (upload && (req.method === 'PUT' || req.method === 'OPTIONS')) {
      void routes.fallbackUpload(req, res, upload[1]);
      return;
    }
    if (path.startsWith(INTAKE_PREFIX)) {
      void routes.s3EventIntake(req, res, path.slice(INTAKE_PREFIX.length));
      return;
    }
    switch (path) {
      case '/healthz':
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
        return;
      case '/readyz':
        void routes.readiness.check().then(({ ready, checks }) => {
          res
            .writeHead(ready ? 200 : 503, { 'content-type': 'application/json' })
            .end(JSON.stringify({ status: ready ? 'ready' : 'not ready', checks }));
        });
        return;
      case '/graphql':
        void routes.graphql(req, res);
        return;
      case '/':
      case SCRIPT_PATH:
        void routes.uploadPage.serve(req, res, path);
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
