import { AwsError } from '../errors.js';
import type { KmsKey } from '../kms/index.js';
import type { AwsRequest } from '../types.js';
import { authorizeKms } from './authz.js';
import type { S3Context } from './context.js';
import type { BucketRow } from './store.js';

export type SseAlgorithm = 'AES256' | 'aws:kms';

/** How a new object is encrypted: from the request headers, else the bucket default. */
export interface WriteEncryption {
  sse: SseAlgorithm | null;
  key?: KmsKey;
  /**
   * The named KMS key does not exist. Raised only after the write is
   * authorized, so a caller who may not write cannot probe which keys exist.
   */
  unknownKey?: AwsError;
  /** Condition keys for the write's s3:PutObject check (absent when the client sent no SSE header). */
  context: Record<string, string | undefined>;
}

/** Bucket default encryption as stored by PutBucketEncryption. */
export interface BucketEncryption {
  SSEAlgorithm: SseAlgorithm;
  KMSMasterKeyID?: string;
  BucketKeyEnabled?: boolean;
}

/** S3's own managed key, created on first use like AWS does. */
const DEFAULT_KMS_ALIAS = 'alias/aws/s3';

export function resolveWriteEncryption(ctx: S3Context, headers: Record<string, string>, bucket: BucketRow): WriteEncryption {
  const algorithm = headers['x-amz-server-side-encryption'];
  const keyId = headers['x-amz-server-side-encryption-aws-kms-key-id'];
  if (algorithm === undefined) {
    if (keyId !== undefined) {
      throw new AwsError('InvalidArgument', 'Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms', { ArgumentName: 'x-amz-server-side-encryption' });
    }
    const fallback = bucket.encryption ? (JSON.parse(bucket.encryption) as BucketEncryption) : undefined;
    // Like S3 since 2023: a body with no SSE asked for is still encrypted with S3's own key, and says so.
    if (!fallback) return { sse: 'AES256', context: {} };
    if (fallback.SSEAlgorithm === 'AES256') return { sse: 'AES256', context: {} };
    return { sse: 'aws:kms', key: kmsKey(ctx, fallback.KMSMasterKeyID), context: {} };
  }
  if (algorithm === 'AES256') {
    if (keyId !== undefined) throw new AwsError('InvalidArgument', 'x-amz-server-side-encryption-aws-kms-key-id requires aws:kms encryption.');
    return { sse: 'AES256', context: {} };
  }
  if (algorithm !== 'aws:kms' && algorithm !== 'aws:kms:dsse') {
    throw new AwsError('InvalidArgument', 'The encryption method specified is not supported', { ArgumentName: 'x-amz-server-side-encryption', ArgumentValue: algorithm });
  }
  let key: KmsKey;
  try {
    key = kmsKey(ctx, keyId);
  } catch (error) {
    if (!(error instanceof AwsError) || error.code !== 'KMS_NotFoundException') throw error;
    return { sse: 'aws:kms', unknownKey: error, context: { 's3:x-amz-server-side-encryption-aws-kms-key-id': keyId } };
  }
  return {
    sse: 'aws:kms',
    key,
    // The key id condition sees the key ARN however the client named the key.
    context: keyId !== undefined ? { 's3:x-amz-server-side-encryption-aws-kms-key-id': key.arn } : {},
  };
}

function kmsKey(ctx: S3Context, keyId: string | undefined): KmsKey {
  return keyId === undefined || keyId === '' ? ctx.kms.ensure(DEFAULT_KMS_ALIAS) : ctx.kms.resolve(keyId);
}

/**
 * The key-ring key that wraps the data keys of a new object or part: the
 * named KMS key for SSE-KMS, S3's service key for SSE-S3 (and for rows
 * written before everything was encrypted, which have no SSE).
 */
export function sealingKey(ctx: S3Context, encryption: { sse: string | null; kms_key_arn?: string | null; key?: KmsKey }): KmsKey {
  if (encryption.sse !== 'aws:kms') return ctx.kms.serviceKey();
  if (encryption.key) return encryption.key;
  if (!encryption.kms_key_arn) throw new AwsError('InternalError', 'An SSE-KMS upload has no key.');
  return ctx.kms.resolve(encryption.kms_key_arn);
}

/** Writing an SSE-KMS object needs a data key from KMS. */
export function authorizeEncryptionWrite(
  ctx: S3Context,
  req: AwsRequest,
  encryption: { sse: string | null; kms_key_arn?: string | null; key?: KmsKey; unknownKey?: AwsError },
): void {
  if (encryption.unknownKey) throw encryption.unknownKey;
  const arn = encryption.key?.arn ?? encryption.kms_key_arn;
  if (encryption.sse === 'aws:kms' && arn) authorizeKms(ctx, req, 'kms:GenerateDataKey', arn);
}

/** Reading an SSE-KMS object needs kms:Decrypt on its key. */
export function authorizeEncryptionRead(ctx: S3Context, req: AwsRequest, row: { sse: string | null; kms_key_arn: string | null }): void {
  if (row.sse === 'aws:kms' && row.kms_key_arn) authorizeKms(ctx, req, 'kms:Decrypt', row.kms_key_arn);
}

/** The SSE response headers S3 echoes on writes and reads. */
export function sseHeaders(row: { sse: string | null; kms_key_arn?: string | null }): Record<string, string> {
  if (!row.sse) return {};
  const headers: Record<string, string> = { 'x-amz-server-side-encryption': row.sse };
  if (row.sse === 'aws:kms' && row.kms_key_arn) headers['x-amz-server-side-encryption-aws-kms-key-id'] = row.kms_key_arn;
  return headers;
}
