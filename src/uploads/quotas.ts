import { LfsError } from '../errors.js';
import type { Caller } from '../files/model.js';
import { QuotaExceededError, type FileRepository, type UploadQuota } from '../files/repository.js';

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

/**
 * A first look before any credentials are minted: an owner already at a
 * quota is refused at once. It is not the guarantee: the repository checks
 * again atomically with the insert (`create(file, quota)`), across every
 * instance sharing the database, so concurrent requests never overshoot.
 */
export async function precheckQuota(repository: Pick<FileRepository, 'openUploads'>, caller: Caller, size: number, limits: QuotaLimits): Promise<void> {
  const open = await repository.openUploads(caller.tenant, caller.subject);
  if (open.count + 1 > limits.openUploads) throw quotaError(new QuotaExceededError('openUploads', limits.openUploads, open));
  if (open.bytes + size > limits.bytesInFlight) throw quotaError(new QuotaExceededError('bytesInFlight', limits.bytesInFlight, open));
}

/** `create` with the quota; QUOTA_EXCEEDED when the repository refused it. */
export async function createWithinQuota<T>(create: () => Promise<T>): Promise<T> {
  try {
    return await create();
  } catch (error) {
    throw error instanceof QuotaExceededError ? quotaError(error) : error;
  }
}
