import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../logger.js';

/** Where the page's script is served. */
export const SCRIPT_PATH = '/upload-page.js';

/**
 * The script, bundled at build time by scripts/build-upload-page.js (npm run
 * build; the test runs' global setup): the same file whether this module runs
 * from dist/web/ or, in development, from src/web/.
 */
const SCRIPT = new URL('../../dist/web/upload-page.js', import.meta.url);

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  // Scripts only from here; uploads go to whatever storage endpoint the ticket names.
  'content-security-policy': "default-src 'self'; connect-src *; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
};

/** Read once per process, on the first request: every app in it serves the same bytes. */
let assets: Promise<{ html: string; script: string }> | undefined;

/**
 * `GET /`, the upload page: a small HTML page and its script, which uses the
 * AWS SDK's lib-storage in the browser exactly as a front end would. Both are
 * read on the first request, so a process that never serves the page never
 * holds the script's 350 kB.
 */
export function createUploadPage(logger: Logger) {
  function load() {
    if (!assets) {
      const reads = [readFile(new URL('./upload.html', import.meta.url), 'utf8'), readFile(SCRIPT, 'utf8')] as const;
      assets = Promise.all(reads).then(([html, script]) => ({ html, script }));
      // A failed read is not kept: the build may come after the first request.
      assets.catch(() => (assets = undefined));
    }
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
        logger.error({ err: error }, 'could not read the upload page (npm run build writes its script)');
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"the upload page is not built; see the server log"}');
        return;
      }
      const [type, body] = path === SCRIPT_PATH ? ['text/javascript; charset=utf-8', page.script] : ['text/html; charset=utf-8', page.html];
      res.writeHead(200, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-cache', ...SECURITY_HEADERS });
      res.end(req.method === 'HEAD' ? undefined : body);
    },
  };
}

export type UploadPage = ReturnType<typeof createUploadPage>;
