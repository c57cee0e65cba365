import type { IncomingMessage, ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';
import type { Logger } from 'pino';
import type { Authenticator } from '../auth/index.js';
import { LfsError, errorCodes, type ErrorCode } from '../errors.js';
import { DatabaseUnavailableError } from '../files/repository.js';
import type { FallbackUpload } from '../uploads/fallback-upload.js';

export interface FallbackUploadHandlerOptions {
  authenticator: Authenticator;
  upload: FallbackUpload;
  logger: Logger;
  /** Web origins whose pages may call the route (LFS_UPLOAD_ORIGINS, as the dock's CORS rule); `*` for any. */
  origins: readonly string[];
}

/**
 * CORS headers for a request from `origin`, or none when it is not allowed
 * (the browser then refuses the answer to the page). The route takes its
 * token in a header, never a cookie, so `*` opens no ambient authority.
 */
export function corsHeadersFor(origins: readonly string[], origin: string | undefined): Record<string, string> {
  if (origin === undefined) return {};
  if (origins.includes('*')) return { 'access-control-allow-origin': '*' };
  return origins.includes(origin) ? { 'access-control-allow-origin': origin, vary: 'Origin' } : { vary: 'Origin' };
}

/**
 * `PUT /uploads/<fileId>`: the HTTP side of the fallback upload. The bearer
 * token names the caller, Content-Length the declared length; the answer is
 * JSON, with the coded error's status when the upload is refused.
 */
export function createFallbackUploadHandler(options: FallbackUploadHandlerOptions) {
  const { logger } = options;

  async function upload(req: IncomingMessage, fileId: string): Promise<{ etag?: string }> {
    const caller = await options.authenticator.authenticate(req.headers.authorization);
    const header = req.headers['content-length'];
    return options.upload(caller, fileId, {
      length: header !== undefined && /^\d+$/.test(header) ? Number(header) : undefined,
      open() {
        logger.info({ fileId }, 'fallback upload streaming into the dock');
        // A client hanging up ends the body short instead of erroring it: the endpoint then refuses the
        // incomplete upload (nothing stored), and no stream error escapes inside the SDK.
        const body = new PassThrough();
        req.pipe(body);
        req.once('error', () => body.end());
        return body;
      },
      abandoned: () => req.destroyed || req.readableAborted,
    });
  }

  return async function handle(req: IncomingMessage, res: ServerResponse, fileId: string): Promise<void> {
    const cors = corsHeadersFor(options.origins, req.headers.origin);
    if (req.method === 'OPTIONS') {
      // The preflight a page from another origin sends before its PUT with an Authorization header.
      const allowed = 'access-control-allow-origin' in cors;
      res
        .writeHead(allowed ? 204 : 403, {
          ...cors,
          ...(allowed
            ? { 'access-control-allow-methods': 'PUT', 'access-control-allow-headers': 'authorization, content-type', 'access-control-max-age': '600' }
            : { 'content-type': 'application/json' }),
        })
        .end(allowed ? undefined : '{"error":"origin not allowed (LFS_UPLOAD_ORIGINS)"}');
      return;
    }
    const exposed = 'access-control-allow-origin' in cors ? { 'access-control-expose-headers': 'etag' } : {};
    for (const [name, value] of Object.entries({ ...cors, ...exposed })) res.setHeader(name, value);
    // A client that hangs up mid-body makes the request stream error; the upload fails with it, handled below.
    req.on('error', () => {});
    try {
      const { etag } = await upload(req, fileId);
      res.writeHead(200, { 'content-type': 'application/json', ...(etag ? { etag } : {}) }).end(JSON.stringify({ fileId, status: 'UPLOADED' }));
    } catch (error) {
      const code: ErrorCode = error instanceof LfsError ? error.code : error instanceof DatabaseUnavailableError ? 'UNAVAILABLE' : 'INTERNAL';
      if (code === 'INTERNAL') logger.error({ err: error, fileId }, 'fallback upload failed');
      else logger.info({ fileId, code }, 'fallback upload refused');
      const message = error instanceof LfsError ? error.message : errorCodes[code].message;
      // Unread body bytes would otherwise hold the connection; close it instead of draining gigabytes.
      res.shouldKeepAlive = false;
      res.writeHead(errorCodes[code].http, { 'content-type': 'application/json', connection: 'close' }).end(JSON.stringify({ error: { code, message } }));
      req.resume();
    }
  };
}

export type FallbackUploadHandler = ReturnType<typeof createFallbackUploadHandler>;
