import { GetObjectCommand, HeadObjectCommand, type HeadObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
import { digestStream } from '../checksums/digest.js';
import type { ChecksumAlgorithm } from '../files/model.js';

export interface ObjectFacts {
  size: number;
  head: HeadObjectCommandOutput;
}

/** HeadObject with checksums requested, so a full-object checksum S3 already has costs nothing. */
export async function headWithChecksums(s3: S3Client, bucket: string, key: string): Promise<ObjectFacts> {
  const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }));
  return { size: head.ContentLength ?? -1, head };
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
 * upload), otherwise computed by streaming the object once.
 */
export async function wholeObjectChecksum(s3: S3Client, bucket: string, key: string, algorithm: ChecksumAlgorithm, facts?: ObjectFacts): Promise<string> {
  const head = (facts ?? (await headWithChecksums(s3, bucket, key))).head;
  const stored = head[fields[algorithm]];
  // A COMPOSITE value ("…-N") is a checksum of part checksums, not of the content.
  if (stored && head.ChecksumType !== 'COMPOSITE' && !/-\d+$/.test(stored)) return stored;
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return digestStream(algorithm, object.Body as AsyncIterable<Uint8Array>);
}
