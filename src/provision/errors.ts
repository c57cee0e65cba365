/**
 * Provisioning's and the start-up check's errors, from one table. Each is
 * one line an operator can act on: the resource, what is wrong, the fix.
 */
export const provisionErrorCodes = {
  /** A resource LFS needs is not there. */
  MISSING: 'missing',
  /** It is there, configured otherwise than LFS needs. */
  DRIFTED: 'drifted',
  /** It is there, but cannot be made what LFS needs (owned elsewhere, disabled, another kind). */
  CONFLICT: 'conflict',
  /** The caller may not read or change it. */
  ACCESS_DENIED: 'access denied',
  /** The credentials themselves were refused, or none were found. */
  CREDENTIALS: 'credentials',
  /** The endpoint did not answer. */
  UNREACHABLE: 'unreachable',
  /** The endpoint does not implement the call. */
  NOT_IMPLEMENTED: 'not implemented',
  /** A setting or flag cannot work. */
  INVALID: 'invalid',
  /** Anything else AWS answered. */
  FAILED: 'failed',
} as const;

export type ProvisionErrorCode = keyof typeof provisionErrorCodes;

export class ProvisionError extends Error {
  constructor(
    readonly code: ProvisionErrorCode,
    /** What is wrong, naming the resource. */
    readonly problem: string,
    /** What fixes it. */
    readonly fix: string,
  ) {
    super(`${problem}: ${fix}`);
    this.name = 'ProvisionError';
  }
}

/** The command that creates or fixes what LFS needs. */
export const RUN_PROVISION = 'run: lfs provision';

/** Who made the failing call, for the fix of an access or credential problem. */
export type Caller = 'provision' | 'lfs';

const ACCESS_DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'AuthorizationError',
  'UnauthorizedOperation',
  'Forbidden',
  'KMSInvalidStateException.AccessDenied',
]);
const BAD_CREDENTIALS = new Set([
  'InvalidClientTokenId',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'UnrecognizedClientException',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidToken',
]);
const NETWORK = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'CERT_HAS_EXPIRED']);

interface AwsLikeError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

/** The one line for an AWS call that failed: `action` (e.g. `s3:PutBucketPolicy`) on `resource`. */
export function describeAwsError(error: unknown, action: string, resource: string, context: { caller: Caller; endpoint: string | undefined }): ProvisionError {
  if (error instanceof ProvisionError) return error;
  const e = (error ?? {}) as AwsLikeError;
  const name = e.name ?? 'Error';
  const status = e.$metadata?.httpStatusCode;
  const where = context.endpoint ?? 'AWS';
  const who = context.caller === 'provision' ? 'the principal running lfs provision' : "LFS's principal (lfs provision --print-lfs-policy prints what it needs)";
  if (NETWORK.has(e.code ?? '') || name === 'TimeoutError' || (status === undefined && /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|socket hang up/.test(e.message ?? ''))) {
    return new ProvisionError('UNREACHABLE', `cannot reach ${where} to ${action} ${resource} (${e.code ?? name})`, 'check LFS_AWS_ENDPOINT, LFS_AWS_REGION and the network');
  }
  if (name === 'CredentialsProviderError') {
    return new ProvisionError(
      'CREDENTIALS',
      `no AWS credentials were found to ${action} ${resource}`,
      'set LFS_AWS_ACCESS_KEY_ID and LFS_AWS_SECRET_ACCESS_KEY, or configure the SDK credential chain (AWS_PROFILE, web identity, instance role)',
    );
  }
  if (BAD_CREDENTIALS.has(name)) {
    return new ProvisionError(
      'CREDENTIALS',
      `${where} refused the credentials (${name}) to ${action} ${resource}`,
      'check LFS_AWS_ACCESS_KEY_ID, LFS_AWS_SECRET_ACCESS_KEY and LFS_AWS_SESSION_TOKEN, or the SDK credential chain (AWS_PROFILE, instance role)',
    );
  }
  if (ACCESS_DENIED.has(name) || status === 403) {
    return new ProvisionError('ACCESS_DENIED', `${action} on ${resource} was refused (${name})`, `grant ${action} to ${who}`);
  }
  if (status === 501 || name === 'NotImplemented') {
    return new ProvisionError('NOT_IMPLEMENTED', `${where} does not implement ${action} (needed for ${resource})`, 'use an endpoint that implements it, or AWS');
  }
  const message = (e.message ?? String(error)).split('\n')[0];
  return new ProvisionError('FAILED', `${action} on ${resource} failed (${name}: ${message})`, `fix what it says, then ${RUN_PROVISION}`);
}

/** Whether an AWS error is the named one (SDK v3 errors carry the code as `name`). */
export const isAwsError = (error: unknown, ...names: string[]) => names.includes((error as AwsLikeError | undefined)?.name ?? '');
