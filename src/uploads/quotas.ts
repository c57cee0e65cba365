import { LfsError } from '../errors.js';
import { QuotaExceededError, type UploadQuota } from '../files/repository.js';

export type QuotaLimits = UploadQuota;

/** The API's answer to an owner at a quota: QUOTA_EXCEEDED, naming the quota and its limit. */
export function quotaError(error: QuotaExceededError): LfsError {
  if (error.quota === 'openUploads') {
    return new LfsError('QUOTA_EXCEEDED', `At most ${error.limit} uploads may await completion at once; finish or cancel one first`, {
      quota: 'openUploads',
      limit: error.limit,
    });
  }
  return new LfsError('QUOTA_EXCEEDED', `Uploads awaiting completion may declare at most ${error.limit} bytes together`, {
    quota: 'bytesInFlight',
    limit: error.limit,
    inFlight: error.open.bytes,
  });
}

/** `create` with the quota; QUOTA_EXCEEDED when the repository refused it. */
export async function createWithinQuota<T>(create: () => Promise<T>): Promise<T> {
  try {
    return await create();
  } catch (error) {
    throw error instanceof QuotaExceededError ? quotaError(error) : error;
  }
}
