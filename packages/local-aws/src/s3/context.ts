import type { LocalDb } from '../db.js';
import type { CredentialStore } from '../iam/credentials.js';
import type { KeyRing } from '../kms/index.js';
import type { Sqs } from '../sqs/index.js';
import type { AwsRequest, AwsResponse } from '../types.js';
import type { BlobStore } from './blobs.js';
import type { S3Store } from './store.js';

export interface S3Logger {
  info(o: object, msg?: string): void;
  warn(o: object, msg?: string): void;
  error(o: object, msg?: string): void;
}

/** Everything a handler needs, built once by createS3. */
export interface S3Context {
  db: LocalDb;
  store: S3Store;
  blobs: BlobStore;
  kms: KeyRing;
  sqs: Sqs;
  region: string;
  accountId: string;
  logger: S3Logger;
  /** Resolves the credentials that sign a POST form (its signature is in the body, not in the request's headers). */
  credentials: CredentialStore;
  /** The length of a lifecycle "day" in milliseconds (tests shorten it). */
  lifecycleDayMs: number;
  /** Open multipart uploads one key may have; CreateMultipartUpload beyond it is refused. */
  maxUploadsPerKey: number;
  /** Monotonic hex for the `sequencer` of bucket notifications. */
  nextSequencer(): string;
}

/** The bucket and (decoded) key a request addresses. */
export interface S3Target {
  bucket: string;
  key?: string;
}

export type S3Handler = (ctx: S3Context, req: AwsRequest, target: S3Target) => Promise<AwsResponse>;
