import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';

/** Where pushed S3 event notifications arrive: `POST /events/s3/<secret>`. */
export const INTAKE_PREFIX = '/events/s3/';

/** The promotion side of the intake (promotion/push-intake.ts), as this route sees it. */
export interface EventIntake {
  accept(body: string): Promise<{ kind: 'accepted'; handled: number } | { kind: 'invalid'; reason: string } | { kind: 'retry'; reason: string }>;
}

export interface S3EventIntakeOptions {
  /** The secret the pusher's URL ends with; the route is refused when there is none. */
  secret: string | undefined;
  /** Undefined where this process does not promote: pushes are answered 503 so the pusher retries elsewhere or later. */
  intake: EventIntake | undefined;
  logger: Logger;
}

/** One notification is a few records of metadata; anything larger is not one. */
const MAX_BODY_BYTES = 256 * 1024;

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * The HTTP side of the push intake. The gateway cannot sign or add headers,
 * so the unguessable secret in the URL is the authentication: compared in
 * constant time (over digests, so its length does not leak either), checked
 * before anything else, and a wrong or missing one is 401 whatever the
 * method. Only a POST of JSON then reaches the promotion.
 */
export function createS3EventIntakeHandler(options: S3EventIntakeOptions) {
  const { logger } = options;
  const expected = options.secret === undefined ? undefined : digest(options.secret);
  const answer = (res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
  };
  const refuse = (res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}) => {
    // An unread body would otherwise hold the connection.
    res.shouldKeepAlive = false;
    answer(res, status, { error: { code, message } }, { connection: 'close', ...headers });
  };

  return async function handle(req: IncomingMessage, res: ServerResponse, given: string): Promise<void> {
    req.on('error', () => {});
    if (!expected || !timingSafeEqual(digest(given), expected)) {
      logger.warn({ method: req.method, remote: req.socket.remoteAddress }, 'refused a push to the event intake without its secret');
      return refuse(res, 401, 'UNAUTHENTICATED', 'Authentication required');
    }
    if (req.method !== 'POST') return refuse(res, 405, 'BAD_USER_INPUT', 'POST an S3 event notification', { allow: 'POST' });
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (type !== 'application/json' && type !== 'text/plain' && type !== '') {
      return refuse(res, 415, 'BAD_USER_INPUT', 'the body must be JSON');
    }
    const body = await readBody(req);
    if (body === undefined) return refuse(res, 413, 'PAYLOAD_TOO_LARGE', `at most ${MAX_BODY_BYTES} bytes`);
    if (!options.intake) return refuse(res, 503, 'INTERNAL', 'promotion does not run in this process', { 'retry-after': '5' });
    const outcome = await options.intake.accept(body).catch((error: unknown) => {
      logger.error({ err: error }, 'the event intake failed');
      return { kind: 'retry' as const, reason: 'unexpected error' };
    });
    switch (outcome.kind) {
      case 'accepted':
        return answer(res, 200, { handled: outcome.handled });
      case 'invalid':
        return answer(res, 400, { error: { code: 'BAD_USER_INPUT', message: outcome.reason } });
      case 'retry':
        return answer(res, 500, { error: { code: 'INTERNAL', message: outcome.reason } });
    }
  };
}

/** The body as text, or undefined past the limit (the rest is not read). */
async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (length > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export type S3EventIntakeHandler = ReturnType<typeof createS3EventIntakeHandler>;
