import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf } from '../helpers/aws-errors.js';
import { bytesOf, startLocalS3, type StartedLocalAws } from '../helpers/local-aws.js';

const MiB = 1024 * 1024;

describe('local S3: multipart uploads', () => {
  let env: StartedLocalAws;
  let s3: S3Client;

  beforeAll(async () => {
    ({ env, s3 } = await startLocalS3(['dock', 'vault']));
  });
  afterAll(() => env?.stop());

  it('round-trips 24 MiB through lib-storage (5 MiB parts, 4 at a time, SSE-KMS, FULL_OBJECT CRC64NVME)', async () => {
    const body = randomBytes(24 * MiB);
    const keyArn = env.aws.ensureKey('alias/dock').arn;
    // Slice the body into odd-sized pieces, as a network stream would deliver it.
    const pieces = Array.from({ length: 24 }, (_, i) => body.subarray(i * MiB, (i + 1) * MiB));
    const upload = new Upload({
      client: s3,
      partSize: 5 * MiB,
      queueSize: 4,
      params: {
        Bucket: 'dock',
        Key: 'uploads/big',
        Body: Readable.from(pieces),
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: keyArn,
        ChecksumAlgorithm: 'CRC64NVME',
        ChecksumType: 'FULL_OBJECT',
      },
    });
    const result = await upload.done();
    expect(result.ETag).toMatch(/^"[0-9a-f]{32}-5"$/);
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'dock', Key: 'uploads/big', ChecksumMode: 'ENABLED' }));
    expect(head.ContentLength).toBe(body.length);
    expect(head.ServerSideEncryption).toBe('aws:kms');
    expect(head.SSEKMSKeyId).toBe(keyArn);
    expect(head.ChecksumType).toBe('FULL_OBJECT');
    // A FULL_OBJECT checksum equals the checksum of a single PutObject of the same bytes.
    const single = await s3.send(new PutObjectCommand({ Bucket: 'dock', Key: 'single', Body: body, ChecksumAlgorithm: 'CRC64NVME' }));
    expect(head.ChecksumCRC64NVME).toBe(single.ChecksumCRC64NVME);
    // The SDK validates the full-object checksum of the GET body itself.
    const got = await s3.send(new GetObjectCommand({ Bucket: 'dock', Key: 'uploads/big', ChecksumMode: 'ENABLED' }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body)).toBe(true);
    expect((await bytesOf(s3, 'dock', 'uploads/big', `bytes=${5 * MiB - 3}-${5 * MiB + 2}`)).equals(body.subarray(5 * MiB - 3, 5 * MiB + 3))).toBe(true);
  });

  it('lists parts, validates part order, etags and sizes, and aborts', async () => {
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'dock', Key: 'parts' }));
    const small = await s3.send(new UploadPartCommand({ Bucket: 'dock', Key: 'parts', UploadId, PartNumber: 1, Body: Buffer.alloc(1024, 1) }));
    const second = await s3.send(new UploadPartCommand({ Bucket: 'dock', Key: 'parts', UploadId, PartNumber: 2, Body: Buffer.alloc(10, 2) }));
    const listed = await s3.send(new ListPartsCommand({ Bucket: 'dock', Key: 'parts', UploadId }));
    expect(listed.Parts?.map((p) => [p.PartNumber, p.Size, p.ETag])).toEqual([
      [1, 1024, small.ETag],
      [2, 10, second.ETag],
    ]);
    const complete = (Parts: { PartNumber: number; ETag?: string }[]) =>
      errorOf(s3.send(new CompleteMultipartUploadCommand({ Bucket: 'dock', Key: 'parts', UploadId, MultipartUpload: { Parts } })));
    expect((await complete([{ PartNumber: 2, ETag: second.ETag }, { PartNumber: 1, ETag: small.ETag }])).name).toBe('InvalidPartOrder');
    expect((await complete([{ PartNumber: 1, ETag: '"0000"' }])).name).toBe('InvalidPart');
    expect((await complete([{ PartNumber: 1, ETag: small.ETag }, { PartNumber: 2, ETag: second.ETag }])).name).toBe('EntityTooSmall');
    await s3.send(new AbortMultipartUploadCommand({ Bucket: 'dock', Key: 'parts', UploadId }));
    expect((await errorOf(s3.send(new ListPartsCommand({ Bucket: 'dock', Key: 'parts', UploadId })))).name).toBe('NoSuchUpload');
  });

  it('completes a single small part and honours If-None-Match on completion', async () => {
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'dock', Key: 'tiny', ChecksumAlgorithm: 'CRC32' }));
    const part = await s3.send(new UploadPartCommand({ Bucket: 'dock', Key: 'tiny', UploadId, PartNumber: 1, Body: 'tiny body', ChecksumAlgorithm: 'CRC32' }));
    const done = await s3.send(
      new CompleteMultipartUploadCommand({ Bucket: 'dock', Key: 'tiny', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag, ChecksumCRC32: part.ChecksumCRC32 }] } }),
    );
    expect(done.ChecksumCRC32).toMatch(/-1$/);
    expect((await bytesOf(s3, 'dock', 'tiny')).toString()).toBe('tiny body');

    const again = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'dock', Key: 'tiny' }));
    const p = await s3.send(new UploadPartCommand({ Bucket: 'dock', Key: 'tiny', UploadId: again.UploadId, PartNumber: 1, Body: 'other' }));
    const refused = await errorOf(
      s3.send(new CompleteMultipartUploadCommand({ Bucket: 'dock', Key: 'tiny', UploadId: again.UploadId, IfNoneMatch: '*', MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p.ETag }] } })),
    );
    expect(refused.$metadata.httpStatusCode).toBe(412);
  });

  it('copies ranges of an object into parts (parallel server-side copy)', async () => {
    const body = randomBytes(11 * MiB + 5);
    await s3.send(new PutObjectCommand({ Bucket: 'dock', Key: 'copy-src', Body: body }));
    const vaultKey = env.aws.ensureKey('alias/vault').arn;
    const { UploadId } = await s3.send(
      new CreateMultipartUploadCommand({ Bucket: 'vault', Key: 'files/copy', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: vaultKey, ChecksumAlgorithm: 'CRC32', ChecksumType: 'FULL_OBJECT' }),
    );
    const ranges = [
      [0, 5 * MiB - 1],
      [5 * MiB, 10 * MiB - 1],
      [10 * MiB, body.length - 1],
    ];
    const parts = await Promise.all(
      ranges.map(async ([start, end], i) => {
        const copied = await s3.send(
          new UploadPartCopyCommand({ Bucket: 'vault', Key: 'files/copy', UploadId, PartNumber: i + 1, CopySource: 'dock/copy-src', CopySourceRange: `bytes=${start}-${end}` }),
        );
        return { PartNumber: i + 1, ETag: copied.CopyPartResult!.ETag, ChecksumCRC32: copied.CopyPartResult!.ChecksumCRC32 };
      }),
    );
    await s3.send(new CompleteMultipartUploadCommand({ Bucket: 'vault', Key: 'files/copy', UploadId, MultipartUpload: { Parts: parts } }));
    const got = await s3.send(new GetObjectCommand({ Bucket: 'vault', Key: 'files/copy', ChecksumMode: 'ENABLED' }));
    expect(got.SSEKMSKeyId).toBe(vaultKey);
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body)).toBe(true);
  });

  it('refuses every part copy once the source is no longer the version named by x-amz-copy-source-if-match', async () => {
    const first = await s3.send(new PutObjectCommand({ Bucket: 'dock', Key: 'bound-src', Body: randomBytes(6 * MiB) }));
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'vault', Key: 'files/bound' }));
    const part = (PartNumber: number, range: string) =>
      s3.send(new UploadPartCopyCommand({ Bucket: 'vault', Key: 'files/bound', UploadId, PartNumber, CopySource: 'dock/bound-src', CopySourceRange: range, CopySourceIfMatch: first.ETag }));
    const kept = await part(1, `bytes=0-${5 * MiB - 1}`);
    expect(kept.CopyPartResult?.ETag).toBeDefined();
    await s3.send(new PutObjectCommand({ Bucket: 'dock', Key: 'bound-src', Body: randomBytes(6 * MiB) }));
    const refused = await errorOf(part(2, `bytes=${5 * MiB}-${6 * MiB - 1}`));
    expect(refused).toMatchObject({ name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
    const listed = await s3.send(new ListPartsCommand({ Bucket: 'vault', Key: 'files/bound', UploadId }));
    expect(listed.Parts?.map((p) => p.PartNumber)).toEqual([1]);
    await s3.send(new AbortMultipartUploadCommand({ Bucket: 'vault', Key: 'files/bound', UploadId }));
  });
});
