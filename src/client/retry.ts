import { LfsError } from './errors.js';

/**
 * What to do about a failed request to the dock:
 * - expired: the credentials ran out (renew them, then try again once);
 * - unreachable: no answer at all (refused, DNS, reset, blocked): try again,
 *   and before anything was sent, consider the fallback;
 * - transient: the dock answered that it is busy or failed (5xx, throttling);
 * - fatal: anything else (a refusal that another try would not change).
 */
export type Failure = 'expired' | 'unreachable' | 'transient' | 'fatal';

const expiredNames = new Set(['ExpiredToken', 'ExpiredTokenException', 'TokenRefreshRequired', 'RequestExpired']);
const transientNames = new Set(['SlowDown', 'RequestTimeout', 'InternalError', 'ServiceUnavailable', 'Throttling', 'ThrottlingException', 'RequestTimeTooSkewed']);
const networkCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ECONNABORTED']);

interface SdkError {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: unknown;
}

export function classify(error: unknown): Failure {
  const failure = (error ?? {}) as SdkError;
  if (failure.name && expiredNames.has(failure.name)) return 'expired';
  const status = failure.$metadata?.httpStatusCode;
  if (status === undefined) {
    // No HTTP answer: a browser says TypeError ("Failed to fetch", also when CORS headers are missing), Node names the socket error.
    if (failure.name === 'TypeError' || failure.name === 'TimeoutError' || (failure.code && networkCodes.has(failure.code))) return 'unreachable';
    return failure.$response === undefined && !(error instanceof LfsError) ? 'unreachable' : 'fatal';
  }
  if (status >= 500 || status === 429 || (failure.name && transientNames.has(failure.name))) return 'transient';
  return 'fatal';
}

/** 0.5 s, 1 s, 2 s … up to 15 s, with jitter so that parts failing together do not retry together. */
export function backoffMs(attempt: number): number {
  const base = Math.min(15_000, 500 * 2 ** (attempt - 1));
  return base / 2 + Math.random() * (base / 2);
}

/** Resolves after `ms`, or rejects with ABORTED when `signal` aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(aborted(signal));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(aborted(signal!));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The error an aborted upload ends with: the signal's reason when it is an LfsError (cancel), else ABORTED. */
export function aborted(signal: AbortSignal, fileId?: string): LfsError {
  if (signal.reason instanceof LfsError) return signal.reason;
  return new LfsError('ABORTED', 'the upload was stopped; resume it with resume(fileId, source)', { fileId });
}

/** The name and message of a dock error, for an LfsError's message. */
export function describe(error: unknown): string {
  const failure = error as { name?: string; message?: string; code?: string };
  return [failure.name, failure.code, failure.message].filter(Boolean).join(': ') || String(error);
}
