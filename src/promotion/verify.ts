import { GetObjectCommand, HeadObjectCommand, type HeadObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
import { digestStream } from '@lfs/checksums';
import type { Checksum, ChecksumAlgorithm } from '../files/model.js';
import { isPreconditionFailed } from './copy.js';

export interface ObjectFacts {
  size: number;
  /** Names this version of the object: later reads and copies are bound to it with If-Match. */
  etag: string;
  head: HeadObjectCommandOutput;
}

/** What an object must be to enter (or stay in) the vault: the size and checksum the owner declared. */
export interface Expected {
  size: number;
  checksum: Checksum | null;
}

/**
 * Why an object is not what was declared: `changed` when it was replaced
 * while being read (the version checked is gone), a description of the
 * mismatch otherwise; undefined when it matches.
 */
export type Mismatch = { kind: 'changed' } | { kind: 'size' | 'checksum'; description: string } | undefined;

/** HeadObject with checksums requested, so a full-object checksum S3 already has costs nothing. */
export async function headWithChecksums(s3: S3Client, bucket: string, key: string): Promise<ObjectFacts> {
  const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }));
  return { size: head.ContentLength ?? -1, etag: head.ETag ?? '', head };
}

/**
 * Checks the object `facts` describes against what was declared. A checksum
 * S3 does not keep is computed by reading that same version (If-Match), so
 * the verdict is about the version whose ETag the caller copies afterwards.
 */
export async function mismatchOf(
  s3: S3Client,
  target: { bucket: string; key: string; facts: ObjectFacts; label: 'uploaded' | 'copied' },
  expected: Expected,
): Promise<Mismatch> {
  const { bucket, key, facts, label } = target;
  if (facts.size !== expected.size) {
    return { kind: 'size', description: `size mismatch: declared ${expected.size} bytes, ${label} ${facts.size}` };
  }
  const declared = expected.checksum;
  if (!declared) return undefined;
  let actual: string;
  try {
    actual = await wholeObjectChecksum(s3, bucket, key, declared.algorithm, facts);
  } catch (error) {
    if (isPreconditionFailed(error)) return { kind: 'changed' };
    throw error;
  }
  if (actual === declared.value) return undefined;
  return { kind: 'checksum', description: `checksum mismatch: declared ${declared.algorithm} ${declared.value}, ${label} ${actual}` };
}

/**
 * Why an object is not SSE-KMS under `keyArn`, or undefined when it is. The
 * engine's own rules make this hold on AWS (default encryption, a bucket
 * policy denying other keys); Ceph's gateway has neither, so LFS checks.
 */
export function encryptionMismatchOf(facts: ObjectFacts, keyArn: string): string | undefined {
  const { ServerSideEncryption: sse, SSEKMSKeyId: key } = facts.head;
  if (sse === 'aws:kms' && key === keyArn) return undefined;
  return `not encrypted with SSE-KMS under ${keyArn} (it is ${sse ? `${sse}${key ? ` under ${key}` : ''}` : 'not encrypted'})`;
}

const fields = {
  CRC32: 'ChecksumCRC32',
  CRC32C: 'ChecksumCRC32C',
  CRC64NVME: 'ChecksumCRC64NVME',
  SHA256: 'ChecksumSHA256',
} as const satisfies Record<ChecksumAlgorithm, keyof HeadObjectCommandOutput>;

/**
 * The object's whole-content checksum in `algorithm`: the one S3 stores when
 * it is a full-object checksum (a single PUT, or a FULL_OBJECT multipart
 * upload), otherwise computed by streaming that version of the object once.
 */
async function wholeObjectChecksum(s3: S3Client, bucket: string, key: string, algorithm: ChecksumAlgorithm, facts: ObjectFacts): Promise<string> {
  const stored = facts.head[fields[algorithm]];
  // A COMPOSITE value ("…-N") is a checksum of part checksums, not of the content.
  if (stored && facts.head.ChecksumType !== 'COMPOSITE' && !/-\d+$/.test(stored)) return stored;
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, IfMatch: facts.etag }));
  return digestStream(algorithm, object.Body as AsyncIterable<Uint8Array>);
}
