/**
 * Why a client call failed:
 * - the API's own codes (`extensions.code`): UNAUTHENTICATED, NOT_FOUND,
 *   BAD_USER_INPUT, CONFLICT, RATE_LIMITED, QUOTA_EXCEEDED, PAYLOAD_TOO_LARGE,
 *   LENGTH_REQUIRED, INTERNAL;
 * - the file's final state when it is not AVAILABLE: FAILED (with
 *   `failureReason`), CANCELLED, EXPIRED;
 * - ABORTED: the caller's signal stopped the upload (it can be resumed);
 * - SOURCE_MISMATCH: a resumed upload was given other bytes or another size
 *   than the parts already in the dock (nothing was sent);
 * - DOCK_UNREACHABLE: the dock cannot be reached and the file is larger than
 *   the fallback takes;
 * - STORAGE: the dock refused a request for good (its S3 error name in the message);
 * - NETWORK: LFS itself could not be reached.
 */
export type LfsErrorCode =
  | 'UNAUTHENTICATED'
  | 'NOT_FOUND'
  | 'BAD_USER_INPUT'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'QUOTA_EXCEEDED'
  | 'PAYLOAD_TOO_LARGE'
  | 'LENGTH_REQUIRED'
  | 'INTERNAL'
  | 'FAILED'
  | 'CANCELLED'
  | 'EXPIRED'
  | 'ABORTED'
  | 'SOURCE_MISMATCH'
  | 'DOCK_UNREACHABLE'
  | 'STORAGE'
  | 'NETWORK';

export class LfsError extends Error {
  override readonly name = 'LfsError';
  readonly code: LfsErrorCode;
  /** The file concerned, when one exists. */
  readonly fileId: string | undefined;
  /** Why promotion failed (code FAILED), as LFS recorded it. */
  readonly failureReason: string | undefined;

  constructor(code: LfsErrorCode, message: string, details: { fileId?: string; failureReason?: string; cause?: unknown } = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.fileId = details.fileId;
    this.failureReason = details.failureReason;
  }
}

export function isLfsError(error: unknown, ...codes: LfsErrorCode[]): error is LfsError {
  return error instanceof LfsError && (codes.length === 0 || codes.includes(error.code));
}

/** The same error with the file it concerns, once that is known. */
export function withFileId(error: unknown, fileId: string): unknown {
  if (error instanceof LfsError && error.fileId === undefined) {
    return new LfsError(error.code, error.message, { fileId, failureReason: error.failureReason, cause: error.cause });
  }
  return error;
}
