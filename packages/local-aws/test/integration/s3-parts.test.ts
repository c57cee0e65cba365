import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectAttributesCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
  type ChecksumAlgorithm,
  type ChecksumType,
  type CompletedPart,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsRefusal } from '../helpers/aws-errors.js';
import { awsCli, findAwsCli } from '../helpers/awscli.js';
import { needs } from '../helpers/outside-tools.js';
import { bytesOf, startLocalS3, type StartedLocalAws } from '../helpers/local-aws.js';

const MiB = 1024 * 1024;
const cli = findAwsCli();
const hasCli = needs({ name: 'the AWS CLI', path: cli, debianPackage: 'awscli', variable: 'LFS_TEST_AWS_CLI' });
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('base64');

/** A completed multipart upload of `parts` (buffers), with a checksum algorithm and type when given. */
async function multipart(s3: S3Client, Key: string, parts: Buffer[], checksum?: { algorithm: ChecksumAlgorithm; type: ChecksumType }) {
  const { UploadId } = await s3.send(
    new CreateMultipartUploadCommand({ Bucket: 'parts', Key, ChecksumAlgorithm: checksum?.algorithm, ChecksumType: checksum?.type }),
  );
  const done: CompletedPart[] = [];
  for (const [index, Body] of parts.entries()) {
    const part = await s3.send(new UploadPartCommand({ Bucket: 'parts', Key, UploadId, PartNumber: index + 1, Body, ChecksumAlgorithm: checksum?.algorithm }));
    done.push({ PartNumber: index + 1, ETag: part.ETag, ChecksumSHA256: part.ChecksumSHA256, ChecksumCRC32: part.ChecksumCRC32 });
  }
  const completed = await s3.send(new CompleteMultipartUploadCommand({ Bucket: 'parts', Key, UploadId, MultipartUpload: { Parts: done } }));
  return { UploadId: UploadId!, parts: done, completed };
}

describe('local S3: parts of objects (partNumber, GetObjectAttributes, repeated completions)', () => {
  let env: StartedLocalAws;
  let s3: S3Client;
  const p1 = randomBytes(5 * MiB);
  const p2 = randomBytes(5 * MiB + 7);
  const p3 = Buffer.from('tail of it');

  beforeAll(async () => {
    ({ env, s3 } = await startLocalS3(['parts']));
    await multipart(s3, 'plain', [p1, p2, p3]);
    await multipart(s3, 'composite', [p1, p2, p3], { algorithm: 'SHA256', type: 'COMPOSITE' });
    await multipart(s3, 'full', [p1, p2, p3], { algorithm: 'CRC32', type: 'FULL_OBJECT' });
    await s3.send(new PutObjectCommand({ Bucket: 'parts', Key: 'single', Body: 'test-123', ChecksumAlgorithm: 'CRC32' }));
  });
  afterAll(() => env?.stop());

  it('GETs and HEADs one part of a multipart object with its range and the parts count (206)', async () => {
    const got = await s3.send(new GetObjectCommand({ Bucket: 'parts', Key: 'plain', PartNumber: 2 }));
    expect(got.$metadata.httpStatusCode).toBe(206);
    expect(got.PartsCount).toBe(3);
    expect(got.ContentLength).toBe(p2.length);
    expect(got.ContentRange).toBe(`bytes ${p1.length}-${p1.length + p2.length - 1}/${p1.length + p2.length + p3.length}`);
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(p2)).toBe(true);
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'parts', Key: 'plain', PartNumber: 3 }));
    expect(head.$metadata.httpStatusCode).toBe(206);
    expect(head.PartsCount).toBe(3);
    expect(head.ContentLength).toBe(p3.length);
    // Without partNumber the parts count is not sent, as S3 does.
    expect((await s3.send(new HeadObjectCommand({ Bucket: 'parts', Key: 'plain' }))).PartsCount).toBeUndefined();
  });

  it('refuses a part that does not exist with 416 InvalidPartNumber, and a part with a Range', async () => {
    const missing = await s3.send(new GetObjectCommand({ Bucket: 'parts', Key: 'plain', PartNumber: 4 })).catch((e: unknown) => e as { name: string; $metadata: { httpStatusCode: number }; ActualPartCount?: string });
    expect(missing).toMatchObject({ name: 'InvalidPartNumber', $metadata: { httpStatusCode: 416 } });
    // A HEAD answer has no body to name the code in.
    expect((await awsRefusal(s3.send(new HeadObjectCommand({ Bucket: 'parts', Key: 'plain', PartNumber: 9 })))).status).toBe(416);
    expect(await awsRefusal(s3.send(new GetObjectCommand({ Bucket: 'parts', Key: 'plain', PartNumber: 1, Range: 'bytes=0-1' })))).toEqual({ code: 'InvalidRequest', status: 400 });
    expect(await awsRefusal(s3.send(new GetObjectCommand({ Bucket: 'parts', Key: 'plain', PartNumber: 0 })))).toEqual({ code: 'InvalidArgument', status: 400 });
  });

  it('serves partNumber=1 of an object uploaded whole as the whole object, and refuses partNumber=2', async () => {
    const got = await s3.send(new GetObjectCommand({ Bucket: 'parts', Key: 'single', PartNumber: 1, ChecksumMode: 'ENABLED' }));
    expect(got.$metadata.httpStatusCode).toBe(206);
    expect(got.ContentRange).toBe('bytes 0-7/8');
    expect(got.PartsCount).toBeUndefined();
    expect(got.ChecksumType).toBe('FULL_OBJECT');
    expect(got.ChecksumCRC32).toBeDefined();
    expect(await got.Body!.transformToString()).toBe('test-123');
    expect(await awsRefusal(s3.send(new GetObjectCommand({ Bucket: 'parts', Key: 'single', PartNumber: 2 })))).toEqual({ code: 'InvalidPartNumber', status: 416 });
  });

  it("sends a part's own checksum for a COMPOSITE upload and none for a FULL_OBJECT one", async () => {
    const composite = await s3.send(new GetObjectCommand({ Bucket: 'parts', Key: 'composite', PartNumber: 3, ChecksumMode: 'ENABLED' }));
    expect(composite.ChecksumSHA256).toBe(sha256(p3));
    expect(composite.ChecksumType).toBe('COMPOSITE');
    await composite.Body!.transformToByteArray();
    const full = await s3.send(new GetObjectCommand({ Bucket: 'parts', Key: 'full', PartNumber: 3, ChecksumMode: 'ENABLED' }));
    expect(full.ChecksumCRC32).toBeUndefined();
    expect(await full.Body!.transformToString()).toBe(p3.toString());
  });

  it('answers GetObjectAttributes: unquoted ETag, size, storage class, checksum without -N, and the parts of a COMPOSITE upload', async () => {
    const attributes = await s3.send(
      new GetObjectAttributesCommand({ Bucket: 'parts', Key: 'composite', ObjectAttributes: ['ETag', 'Checksum', 'ObjectParts', 'StorageClass', 'ObjectSize'] }),
    );
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'parts', Key: 'composite', ChecksumMode: 'ENABLED' }));
    expect(attributes.ETag).toBe(head.ETag!.replaceAll('"', ''));
    expect(attributes.ObjectSize).toBe(p1.length + p2.length + p3.length);
    expect(attributes.StorageClass).toBe('STANDARD');
    expect(attributes.LastModified?.getTime()).toBe(head.LastModified?.getTime());
    expect(head.ChecksumSHA256).toMatch(/-3$/);
    expect(attributes.Checksum).toEqual({ ChecksumSHA256: head.ChecksumSHA256!.replace(/-3$/, ''), ChecksumType: 'COMPOSITE' });
    expect(attributes.ObjectParts).toEqual({
      TotalPartsCount: 3,
      PartNumberMarker: '0',
      NextPartNumberMarker: '3',
      MaxParts: 1000,
      IsTruncated: false,
      Parts: [p1, p2, p3].map((part, i) => ({ PartNumber: i + 1, Size: part.length, ChecksumSHA256: sha256(part) })),
    });
    const page = await s3.send(new GetObjectAttributesCommand({ Bucket: 'parts', Key: 'composite', ObjectAttributes: ['ObjectParts'], MaxParts: 1, PartNumberMarker: '1' }));
    expect(page.ObjectParts).toMatchObject({ IsTruncated: true, NextPartNumberMarker: '2', Parts: [{ PartNumber: 2, Size: p2.length }] });
    expect(page.ETag).toBeUndefined();
  });

  it('counts the parts only, for an upload without part checksums or with a FULL_OBJECT one, and has no ObjectParts for a whole upload', async () => {
    const plain = await s3.send(new GetObjectAttributesCommand({ Bucket: 'parts', Key: 'plain', ObjectAttributes: ['ObjectParts', 'Checksum'] }));
    expect(plain.ObjectParts).toEqual({ TotalPartsCount: 3 });
    expect(plain.Checksum).toBeUndefined();
    const full = await s3.send(new GetObjectAttributesCommand({ Bucket: 'parts', Key: 'full', ObjectAttributes: ['ObjectParts', 'Checksum'] }));
    expect(full.ObjectParts).toEqual({ TotalPartsCount: 3 });
    expect(full.Checksum?.ChecksumType).toBe('FULL_OBJECT');
    const single = await s3.send(new GetObjectAttributesCommand({ Bucket: 'parts', Key: 'single', ObjectAttributes: ['ObjectParts', 'ETag', 'Checksum'] }));
    expect(single.ObjectParts).toBeUndefined();
    expect(single.ETag).toBe(createHash('md5').update('test-123').digest('hex'));
    expect(single.Checksum?.ChecksumCRC32).toBeDefined();
    expect(await awsRefusal(s3.send(new GetObjectAttributesCommand({ Bucket: 'parts', Key: 'nothing', ObjectAttributes: ['ETag'] })))).toEqual({ code: 'NoSuchKey', status: 404 });
    expect(await awsRefusal(s3.send(new GetObjectAttributesCommand({ Bucket: 'parts', Key: 'single', ObjectAttributes: ['Colour' as 'ETag'] })))).toEqual({ code: 'InvalidArgument', status: 400 });
  });

  it('answers a repeated CompleteMultipartUpload with the same success, and a different part list with NoSuchUpload', async () => {
    const first = await multipart(s3, 'repeat', [p1, p3]);
    const again = await s3.send(new CompleteMultipartUploadCommand({ Bucket: 'parts', Key: 'repeat', UploadId: first.UploadId, MultipartUpload: { Parts: first.parts } }));
    expect(again.ETag).toBe(first.completed.ETag);
    expect(again.Key).toBe('repeat');
    const other = await awsRefusal(
      s3.send(new CompleteMultipartUploadCommand({ Bucket: 'parts', Key: 'repeat', UploadId: first.UploadId, MultipartUpload: { Parts: first.parts.slice(0, 1) } })),
    );
    expect(other).toEqual({ code: 'NoSuchUpload', status: 404 });
    // The upload itself is gone.
    expect(await awsRefusal(s3.send(new ListPartsCommand({ Bucket: 'parts', Key: 'repeat', UploadId: first.UploadId })))).toEqual({ code: 'NoSuchUpload', status: 404 });
    expect((await bytesOf(s3, 'parts', 'repeat')).equals(Buffer.concat([p1, p3]))).toBe(true);
  });

  it('completes an upload whose part 1 was sent again after the later parts', async () => {
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'parts', Key: 'resent' }));
    const first = await s3.send(new UploadPartCommand({ Bucket: 'parts', Key: 'resent', UploadId, PartNumber: 1, Body: p2 }));
    const second = await s3.send(new UploadPartCommand({ Bucket: 'parts', Key: 'resent', UploadId, PartNumber: 2, Body: p3 }));
    const again = await s3.send(new UploadPartCommand({ Bucket: 'parts', Key: 'resent', UploadId, PartNumber: 1, Body: p1 }));
    expect(again.ETag).not.toBe(first.ETag);
    await s3.send(new CompleteMultipartUploadCommand({ Bucket: 'parts', Key: 'resent', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: again.ETag }, { PartNumber: 2, ETag: second.ETag }] } }));
    expect((await bytesOf(s3, 'parts', 'resent')).equals(Buffer.concat([p1, p3]))).toBe(true);
  });

  it('refuses UploadPartCopy ranges outside the source as S3 does', async () => {
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'parts', Key: 'copied' }));
    const copy = (range: string) => s3.send(new UploadPartCopyCommand({ Bucket: 'parts', Key: 'copied', UploadId, PartNumber: 1, CopySource: 'parts/single', CopySourceRange: range }));
    // The source is 8 bytes.
    expect(await awsRefusal(copy('bytes=0-100'))).toEqual({ code: 'InvalidArgument', status: 400 });
    expect(await awsRefusal(copy('bytes=100-200'))).toEqual({ code: 'InvalidRequest', status: 400 });
    expect(await awsRefusal(copy('bytes=5-1'))).toEqual({ code: 'InvalidArgument', status: 400 });
    expect((await copy('bytes=5-7')).CopyPartResult?.ETag).toBe(`"${createHash('md5').update('123').digest('hex')}"`);
  });

  describe.skipIf(!hasCli)('with the AWS CLI', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'lfs-parts-cli-'));
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    it('get-object --part-number and get-object-attributes', async () => {
      const aws = awsCli({ bin: cli!, endpoint: env.aws.url, region: env.aws.region, credentials: env.aws.rootCredentials });
      const out = join(dir, 'part3');
      const got = await aws.json<{ PartsCount: number; ContentRange: string; ContentLength: number }>(['s3api', 'get-object', '--bucket', 'parts', '--key', 'plain', '--part-number', '3', out]);
      expect(got.PartsCount).toBe(3);
      expect(got.ContentLength).toBe(p3.length);
      expect((await readFile(out)).equals(p3)).toBe(true);
      const attributes = await aws.json<{ ObjectParts: { TotalPartsCount: number; Parts: { PartNumber: number; ChecksumSHA256: string }[] }; ObjectSize: number }>([
        's3api',
        'get-object-attributes',
        '--bucket',
        'parts',
        '--key',
        'composite',
        '--object-attributes',
        'ObjectParts',
        'ObjectSize',
      ]);
      expect(attributes.ObjectSize).toBe(p1.length + p2.length + p3.length);
      expect(attributes.ObjectParts.TotalPartsCount).toBe(3);
      expect(attributes.ObjectParts.Parts.map((p) => p.ChecksumSHA256)).toEqual([sha256(p1), sha256(p2), sha256(p3)]);
      const missing = await aws.run(['s3api', 'get-object', '--bucket', 'parts', '--key', 'plain', '--part-number', '7', join(dir, 'nothing')]);
      expect(missing.stderr).toMatch(/InvalidPartNumber|416/);
    });
  });
});
