import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../logger.js';

/** Where the page's script is served. */
export const SCRIPT_PATH = '/upload-page.js';

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  // Scripts only from here; uploads go to whatever storage endpoint the ticket names.
  'content-security-policy': "default-src 'self'; connect-src *; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
};

/** Built once per process, on the first request: every app in it serves the same bytes. */
let assets: Promise<{ html: string; script: string }> | undefined;

/**
 * `GET /`, the upload page: a small HTML page and its
 * script, which uploads with `large-file-service/client` in the browser
 * exactly as a front end would. esbuild bundles the script on the first request (about a
 * second), so a process that never serves the page never pays for it, and
 * the repository holds no generated file.
 */
export function createUploadPage(logger: Logger) {
  function load() {
    assets ??= (async () => {
      const [html, bundle] = await Promise.all([
        readFile(new URL('./upload.html', import.meta.url), 'utf8'),
        build({
          entryPoints: [fileURLToPath(new URL('./browser/upload.ts', import.meta.url))],
          bundle: true,
          write: false,
          format: 'esm',
          platform: 'browser',
          target: 'es2022',
          minify: true,
          legalComments: 'none',
          logLevel: 'silent',
        }),
      ]);
      return { html, script: bundle.outputFiles[0].text };
    })();
    return assets;
  }

  return {
    async serve(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'application/json' }).end('{"error":"method not allowed"}');
        return;
      }
      let page: { html: string; script: string };
      try {
        page = await load();
      } catch (error) {
        logger.error({ err: error }, 'could not build the upload page');
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"the upload page could not be built; see the server log"}');
        return;
      }
      const [type, body] = path === SCRIPT_PATH ? ['text/javascript; charset=utf-8', page.script] : ['text/html; charset=utf-8', page.html];
      res.writeHead(200, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-cache', ...SECURITY_HEADERS });
      res.end(req.method === 'HEAD' ? undefined : body);
    },
  };
}

export type UploadPage = ReturnType<typeof createUploadPage>;
