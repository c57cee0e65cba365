import { createHash, randomBytes } from 'node:crypto';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  type GetObjectCommandInput,
  HeadBucketCommand,
  HeadObjectCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf } from '../helpers/aws-errors.js';
import { startLocalS3, type StartedLocalAws } from '../helpers/local-aws.js';

describe('local S3: objects', () => {
  let env: StartedLocalAws;
  let s3: S3Client;

  beforeAll(async () => {
    ({ env, s3 } = await startLocalS3(['alpha', 'beta']));
  });
  afterAll(() => env?.stop());

  it('puts, heads, gets and deletes an object with metadata and an MD5 ETag', async () => {
    const body = randomBytes(100_000);
    const put = await s3.send(
      new PutObjectCommand({ Bucket: 'alpha', Key: 'dir/a b+c.bin', Body: body, ContentType: 'application/x-test', Metadata: { owner: 'me' } }),
    );
    expect(put.ETag).toBe(`"${createHash('md5').update(body).digest('hex')}"`);
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'alpha', Key: 'dir/a b+c.bin' }));
    expect(head.ContentLength).toBe(body.length);
    expect(head.ContentType).toBe('application/x-test');
    expect(head.Metadata).toEqual({ owner: 'me' });
    const got = await s3.send(new GetObjectCommand({ Bucket: 'alpha', Key: 'dir/a b+c.bin' }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body)).toBe(true);
    await s3.send(new DeleteObjectCommand({ Bucket: 'alpha', Key: 'dir/a b+c.bin' }));
    const missing = await errorOf(s3.send(new GetObjectCommand({ Bucket: 'alpha', Key: 'dir/a b+c.bin' })));
    expect(missing.name).toBe('NoSuchKey');
    const missingHead = await errorOf(s3.send(new HeadObjectCommand({ Bucket: 'alpha', Key: 'dir/a b+c.bin' })));
    expect(missingHead.$metadata.httpStatusCode).toBe(404);
  });

  it('streams a body sent as aws-chunked with a trailing checksum', async () => {
    const body = randomBytes(3 * 1024 * 1024 + 17);
    const { Readable } = await import('node:stream');
    const put = await s3.send(
      new PutObjectCommand({ Bucket: 'alpha', Key: 'streamed', Body: Readable.from([body.subarray(0, 1000), body.subarray(1000)]), ContentLength: body.length, ChecksumAlgorithm: 'CRC32C' }),
    );
    expect(put.ChecksumCRC32C).toBeDefined();
    const got = await s3.send(new GetObjectCommand({ Bucket: 'alpha', Key: 'streamed', ChecksumMode: 'ENABLED' }));
    expect(got.ChecksumCRC32C).toBe(put.ChecksumCRC32C);
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body)).toBe(true);
  });

  it('serves range reads', async () => {
    const body = Buffer.from('0123456789abcdef');
    await s3.send(new PutObjectCommand({ Bucket: 'alpha', Key: 'range', Body: body }));
    const got = await s3.send(new GetObjectCommand({ Bucket: 'alpha', Key: 'range', Range: 'bytes=3-6' }));
    expect(got.ContentRange).toBe('bytes 3-6/16');
    expect(await got.Body!.transformToString()).toBe('3456');
    const tail = await s3.send(new GetObjectCommand({ Bucket: 'alpha', Key: 'range', Range: 'bytes=-4' }));
    expect(await tail.Body!.transformToString()).toBe('cdef');
    const bad = await errorOf(s3.send(new GetObjectCommand({ Bucket: 'alpha', Key: 'range', Range: 'bytes=99-' })));
    expect(bad.name).toBe('InvalidRange');
  });

  it('copies across buckets with REPLACE metadata and SSE-KMS on the destination', async () => {
    const keyArn = env.aws.ensureKey('alias/vault').arn;
    await s3.send(new PutObjectCommand({ Bucket: 'alpha', Key: 'src', Body: 'copy me', ContentType: 'text/plain' }));
    const copy = await s3.send(
      new CopyObjectCommand({
        Bucket: 'beta',
        Key: 'files/dst',
        CopySource: 'alpha/src',
        MetadataDirective: 'REPLACE',
        ContentType: 'text/markdown',
        ContentDisposition: "attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.md",
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: 'alias/vault',
      }),
    );
    expect(copy.SSEKMSKeyId).toBe(keyArn);
    expect(copy.ServerSideEncryption).toBe('aws:kms');
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'beta', Key: 'files/dst' }));
    expect(head.ContentType).toBe('text/markdown');
    expect(head.ContentDisposition).toBe("attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.md");
    expect(head.SSEKMSKeyId).toBe(keyArn);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'beta', Key: 'files/dst' }));
    expect(await got.Body!.transformToString()).toBe('copy me');
    const unknownKey = await errorOf(
      s3.send(new CopyObjectCommand({ Bucket: 'beta', Key: 'x', CopySource: 'alpha/src', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'alias/nope' })),
    );
    expect(unknownKey.name).toBe('KMS.NotFoundException');
  });

  it('honours If-None-Match: * on put and copy', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'alpha', Key: 'once', Body: 'first', IfNoneMatch: '*' }));
    const again = await errorOf(s3.send(new PutObjectCommand({ Bucket: 'alpha', Key: 'once', Body: 'second', IfNoneMatch: '*' })));
    expect(again.$metadata.httpStatusCode).toBe(412);
    const copy = await errorOf(s3.send(new CopyObjectCommand({ Bucket: 'alpha', Key: 'once', CopySource: 'alpha/src', IfNoneMatch: '*' })));
    expect(copy.$metadata.httpStatusCode).toBe(412);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'alpha', Key: 'once' }));
    expect(await got.Body!.transformToString()).toBe('first');
  });

  it('copies only the source version named by x-amz-copy-source-if-match, else 412 and nothing written', async () => {
    const first = await s3.send(new PutObjectCommand({ Bucket: 'alpha', Key: 'bound', Body: 'verified' }));
    const copied = await s3.send(new CopyObjectCommand({ Bucket: 'beta', Key: 'bound-copy', CopySource: 'alpha/bound', CopySourceIfMatch: first.ETag }));
    expect(copied.CopyObjectResult?.ETag).toBeDefined();
    await s3.send(new PutObjectCommand({ Bucket: 'alpha', Key: 'bound', Body: 'swapped, and longer' }));
    const refused = await errorOf(s3.send(new CopyObjectCommand({ Bucket: 'beta', Key: 'bound-refused', CopySource: 'alpha/bound', CopySourceIfMatch: first.ETag })));
    expect(refused).toMatchObject({ name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
    expect((await errorOf(s3.send(new HeadObjectCommand({ Bucket: 'beta', Key: 'bound-refused' })))).$metadata.httpStatusCode).toBe(404);
    const unchanged = await s3.send(new GetObjectCommand({ Bucket: 'beta', Key: 'bound-copy' }));
    expect(await unchanged.Body!.transformToString()).toBe('verified');
    // Either refusal is a 412: a changed source as much as an existing target.
    const both = await errorOf(
      s3.send(new CopyObjectCommand({ Bucket: 'beta', Key: 'bound-copy', CopySource: 'alpha/bound', CopySourceIfMatch: first.ETag, IfNoneMatch: '*' })),
    );
    expect(both.$metadata.httpStatusCode).toBe(412);
  });

  it('stores traversal-looking keys as opaque keys and rejects keys over 1024 bytes', async () => {
    for (const key of ['../../x', '..', '/abs/path', 'a/../../../etc/passwd', 'ünï/çødé']) {
      await s3.send(new PutObjectCommand({ Bucket: 'alpha', Key: key, Body: key }));
      const got = await s3.send(new GetObjectCommand({ Bucket: 'alpha', Key: key }));
      expect(await got.Body!.transformToString()).toBe(key);
    }
    const tooLong = await errorOf(s3.send(new PutObjectCommand({ Bucket: 'alpha', Key: 'k'.repeat(1025), Body: 'x' })));
    expect(tooLong.name).toBe('KeyTooLongError');
  });

  it('rejects a wrong checksum with BadDigest and keeps nothing', async () => {
    const error = await errorOf(s3.send(new PutObjectCommand({ Bucket: 'alpha', Key: 'bad-crc', Body: 'hello', ChecksumCRC32: 'AAAAAA==' })));
    expect(error.name).toBe('BadDigest');
    const md5 = await errorOf(s3.send(new PutObjectCommand({ Bucket: 'alpha', Key: 'bad-md5', Body: 'hello', ContentMD5: createHash('md5').update('other').digest('base64') })));
    expect(md5.name).toBe('BadDigest');
    expect((await errorOf(s3.send(new HeadObjectCommand({ Bucket: 'alpha', Key: 'bad-crc' })))).$metadata.httpStatusCode).toBe(404);
  });

  it('rejects a bad signature, an unknown access key and a missing bucket', async () => {
    const badSecret = env.s3({ credentials: { accessKeyId: env.aws.rootCredentials.accessKeyId, secretAccessKey: 'wrong' } });
    expect((await errorOf(badSecret.send(new HeadBucketCommand({ Bucket: 'alpha' })))).$metadata.httpStatusCode).toBe(403);
    expect((await errorOf(badSecret.send(new GetObjectCommand({ Bucket: 'alpha', Key: 'src' })))).name).toBe('SignatureDoesNotMatch');
    const unknown = env.s3({ credentials: { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x' } });
    expect((await errorOf(unknown.send(new GetObjectCommand({ Bucket: 'alpha', Key: 'src' })))).name).toBe('InvalidAccessKeyId');
    expect((await errorOf(s3.send(new PutObjectCommand({ Bucket: 'nope', Key: 'k', Body: 'x' })))).name).toBe('NoSuchBucket');
  });

  it('serves presigned GETs until they expire, and denies anonymous reads', async () => {
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'alpha', Key: 'src', ResponseContentDisposition: 'attachment' }), { expiresIn: 60 });
    const ok = await fetch(url);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-disposition')).toBe('attachment');
    expect(await ok.text()).toBe('copy me');
    const expired = await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'alpha', Key: 'src' }), { expiresIn: 1, signingDate: new Date(Date.now() - 60_000) });
    const denied = await fetch(expired);
    expect(denied.status).toBe(403);
    expect(await denied.text()).toContain('Request has expired');
    const anonymous = await fetch(`${env.aws.url}/alpha/src`);
    expect(anonymous.status).toBe(403);
    expect(await anonymous.text()).toContain('<Code>AccessDenied</Code>');
  });

  const expires = 'Thu, 01 Dec 2044 16:00:00 GMT';
  it.each<[string, string, Partial<GetObjectCommandInput>]>([
    ['response-content-type', 'text/html', { ResponseContentType: 'text/html' }],
    ['response-content-disposition', 'inline', { ResponseContentDisposition: 'inline' }],
    ['response-cache-control', 'max-age=31536000', { ResponseCacheControl: 'max-age=31536000' }],
    ['response-content-encoding', 'identity', { ResponseContentEncoding: 'identity' }],
    ['response-content-language', 'fr', { ResponseContentLanguage: 'fr' }],
    ['response-expires', expires, { ResponseExpires: new Date(expires) }],
  ])('refuses %s on an anonymous GET or HEAD, even where a bucket policy allows public reads', async (name, value, override) => {
    await s3.send(new CreateBucketCommand({ Bucket: 'public' })).catch((error: Error) => {
      if (error.name !== 'BucketAlreadyOwnedByYou') throw error;
    });
    const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::public/*' }] };
    await s3.send(new PutBucketPolicyCommand({ Bucket: 'public', Policy: JSON.stringify(policy) }));
    await s3.send(new PutObjectCommand({ Bucket: 'public', Key: 'note.txt', Body: '<script>alert(1)</script>', ContentType: 'text/plain' }));
    const url = `${env.aws.url}/public/note.txt`;
    const plain = await fetch(url);
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-type')).toBe('text/plain');
    await plain.arrayBuffer();

    const refused = await fetch(`${url}?${name}=${encodeURIComponent(value)}`);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toMatch(/<Code>InvalidRequest<\/Code><Message>Request specific response headers cannot be used for anonymous GET requests\.<\/Message>/);
    expect((await fetch(`${url}?${name}=${encodeURIComponent(value)}`, { method: 'HEAD' })).status).toBe(400);

    // Signed requests, by header or presigned, may still override.
    const command = () => new GetObjectCommand({ Bucket: 'public', Key: 'note.txt', ...override });
    const signed = await s3.send(command());
    expect(signed.$metadata.httpStatusCode).toBe(200);
    await signed.Body!.transformToString();
    const presigned = await fetch(await getSignedUrl(s3, command(), { expiresIn: 60 }));
    expect(presigned.status).toBe(200);
    expect(presigned.headers.get(name.slice('response-'.length))).toBe(value);
    await presigned.arrayBuffer();
  });

  it('keeps objects across a restart on the same data dir', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'alpha', Key: 'durable', Body: 'still here' }));
    await env.restart();
    const fresh = env.s3();
    const got = await fresh.send(new GetObjectCommand({ Bucket: 'alpha', Key: 'durable' }));
    expect(await got.Body!.transformToString()).toBe('still here');
    s3 = fresh;
  });
});
