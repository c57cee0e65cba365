import type { MultipartUpload, S3Client } from '@aws-sdk/client-s3';
import type { Logger } from 'pino';
import { abortUpload, partsOf, uploadsUnder } from '../aws/listing.js';
import { fileIdOfDockKey, type EncryptedBucket, type FileRecord } from '../files/model.js';
import type { FileRepository } from '../files/repository.js';
import { isFinal } from '../files/states.js';

export interface DockUploadsOptions {
  s3: S3Client;
  repository: FileRepository;
  dock: EncryptedBucket;
  /** Multipart uploads older than this are aborted whatever their file's state. */
  staleUploadSeconds: number;
  /** Open uploads one file's key may keep; the older ones beyond are aborted. */
  maxUploadsPerFile: number;
  logger: Logger;
}

export interface DockUploadsReport {
  /** Their file is unknown or final, or they outlived the stale limit. */
  dead: number;
  /** Older than the newest `maxUploadsPerFile` of their key. */
  extra: number;
  /** Staged more bytes than their file declared. */
  oversized: number;
}

type Reason = keyof DockUploadsReport;

/** One key's uploads as the listing delivers them. */
interface KeyGroup {
  key: string;
  file: FileRecord | undefined;
  /** The live uploads kept so far, oldest first. */
  kept: MultipartUpload[];
}

/**
 * Aborts the dock's multipart uploads that must not go on. Upload
 * credentials may start any number of uploads on their key, each able to
 * stage 10,000 parts, and S3 itself sets no limit. A client writes through
 * its latest upload (an older one is left by a reload or a retry), so a live
 * file keeps its newest few and loses the rest; and an upload that has
 * staged more than the declared size can never be promoted, so it goes too.
 * The listing is sorted by key: one key's uploads are judged together while
 * holding at most `maxUploadsPerFile` of them.
 */
export async function pruneDockUploads(options: DockUploadsOptions, now: Date): Promise<DockUploadsReport> {
  const { s3, logger } = options;
  const dockBucket = options.dock.name;
  const report: DockUploadsReport = { dead: 0, extra: 0, oversized: 0 };

  const abort = async (upload: MultipartUpload, reason: Reason, file: FileRecord | undefined) => {
    await abortUpload(s3, dockBucket, upload);
    report[reason]++;
    logger.info({ key: upload.Key, uploadId: upload.UploadId, reason, fileStatus: file?.status }, 'aborted a multipart upload in the dock');
  };

  const finish = async (group: KeyGroup) => {
    for (const upload of group.kept) {
      if (await stagedMoreThan(options, upload, group.file!.size)) await abort(upload, 'oversized', group.file);
    }
  };

  let group: KeyGroup | undefined;
  for await (const upload of uploadsUnder(s3, dockBucket, 'uploads/')) {
    const key = upload.Key ?? '';
    if (group?.key !== key) {
      if (group) await finish(group);
      const fileId = fileIdOfDockKey(key);
      group = { key, file: fileId ? await options.repository.get(fileId) : undefined, kept: [] };
    }
    const age = now.getTime() - (upload.Initiated?.getTime() ?? now.getTime());
    if (!group.file || isFinal(group.file.status) || age > options.staleUploadSeconds * 1000) {
      await abort(upload, 'dead', group.file);
      continue;
    }
    keepInOrder(group.kept, upload);
    if (group.kept.length > options.maxUploadsPerFile) await abort(group.kept.shift()!, 'extra', group.file);
  }
  if (group) await finish(group);
  return report;
}

/** Inserts by initiation time; on a tie the later-listed upload counts as newer (S3 lists a key's uploads oldest first). */
function keepInOrder(kept: MultipartUpload[], upload: MultipartUpload): void {
  const at = (u: MultipartUpload) => u.Initiated?.getTime() ?? 0;
  let index = kept.length;
  while (index > 0 && at(kept[index - 1]) > at(upload)) index--;
  kept.splice(index, 0, upload);
}

/** Whether the upload's parts add up to more than `limit` bytes; stops listing as soon as they do. */
async function stagedMoreThan(options: DockUploadsOptions, upload: MultipartUpload, limit: number): Promise<boolean> {
  let staged = 0;
  try {
    for await (const part of partsOf(options.s3, options.dock.name, upload.Key!, upload.UploadId!)) {
      staged += part.Size ?? 0;
      if (staged > limit) return true;
    }
  } catch (error) {
    // Completed or aborted since it was listed: nothing is staged any more.
    if ((error as { name?: string }).name === 'NoSuchUpload') return false;
    throw error;
  }
  return false;
}
