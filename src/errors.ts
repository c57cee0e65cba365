import { GraphQLError } from 'graphql';

/**
 * The one table of error codes the API returns in `extensions.code`.
 * Anything thrown that is not an `LfsError` is masked as INTERNAL.
 */
export const errorCodes = {
  UNAUTHENTICATED: { http: 401, message: 'Authentication required' },
  NOT_FOUND: { http: 404, message: 'Not found' },
  BAD_USER_INPUT: { http: 400, message: 'Invalid input' },
  CONFLICT: { http: 409, message: 'The file is not in a state that allows this' },
  RATE_LIMITED: { http: 429, message: 'Too many requests' },
  /** Too many open uploads or bytes in flight for one owner; finish or cancel some first. */
  QUOTA_EXCEEDED: { http: 429, message: 'Upload quota exceeded' },
  PAYLOAD_TOO_LARGE: { http: 413, message: 'Payload too large' },
  LENGTH_REQUIRED: { http: 411, message: 'Content-Length is required' },
  /**
   * A dependency (the database) cannot be reached for now; nothing was
   * changed, or the change is complete. Carries `extensions.retryable: true`:
   * retry after a moment, as with a 503.
   */
  UNAVAILABLE: { http: 503, message: 'Temporarily unavailable; retry shortly' },
  INTERNAL: { http: 500, message: 'Unexpected error' },
} as const;

export type ErrorCode = keyof typeof errorCodes;

export class LfsError extends GraphQLError {
  constructor(
    readonly code: ErrorCode,
    message: string = errorCodes[code].message,
    extra: { field?: string; [key: string]: unknown } = {},
  ) {
    super(message, { extensions: { code, ...extra, http: { status: errorCodes[code].http } } });
    this.name = 'LfsError';
  }
}

export const notFound = (what = 'File') => new LfsError('NOT_FOUND', `${what} not found`);
export const badInput = (field: string, message: string) => new LfsError('BAD_USER_INPUT', `${field}: ${message}`, { field });
export const conflict = (message: string) => new LfsError('CONFLICT', message);
export const unauthenticated = (message = errorCodes.UNAUTHENTICATED.message) => new LfsError('UNAUTHENTICATED', message);

/** The database (or another dependency) is down for now: a retryable 503. */
export const unavailable = () => new LfsError('UNAVAILABLE', errorCodes.UNAVAILABLE.message, { retryable: true });
