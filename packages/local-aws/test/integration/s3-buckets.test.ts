import {
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  GetBucketPolicyCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutBucketCorsCommand,
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { errorOf } from '../helpers/aws-errors.js';
import { startLocalS3, type StartedLocalAws } from '../helpers/local-aws.js';

describe('local S3: buckets, listings and bucket settings', () => {
  let env: StartedLocalAws;
  let s3: S3Client;

  beforeAll(async () => {
    ({ env, s3 } = await startLocalS3(['list'], { lifecycleDaySeconds: 0.05 }));
    for (const key of ['a/1', 'a/2', 'a/b/3', 'b/1', 'c', 'd/x y']) await s3.send(new PutObjectCommand({ Bucket: 'list', Key: key, Body: key }));
  });
  afterAll(() => env?.stop());

  it('lists with prefix, delimiter and continuation', async () => {
    const top = await s3.send(new ListObjectsV2Command({ Bucket: 'list', Delimiter: '/' }));
    expect(top.Contents?.map((o) => o.Key)).toEqual(['c']);
    expect(top.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['a/', 'b/', 'd/']);
    const inA = await s3.send(new ListObjectsV2Command({ Bucket: 'list', Prefix: 'a/', Delimiter: '/' }));
    expect(inA.Contents?.map((o) => o.Key)).toEqual(['a/1', 'a/2']);
    expect(inA.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['a/b/']);
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: 'list', MaxKeys: 2, ContinuationToken: token }));
      keys.push(...(page.Contents ?? []).map((o) => o.Key!));
      token = page.NextContinuationToken;
    } while (token);
    expect(keys).toEqual(['a/1', 'a/2', 'a/b/3', 'b/1', 'c', 'd/x y']);
  });

  it('deletes many objects at once and only deletes empty buckets', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'doomed' }));
    await s3.send(new PutObjectCommand({ Bucket: 'doomed', Key: 'k1', Body: '1' }));
    await s3.send(new PutObjectCommand({ Bucket: 'doomed', Key: 'k2', Body: '2' }));
    expect((await errorOf(s3.send(new DeleteBucketCommand({ Bucket: 'doomed' })))).name).toBe('BucketNotEmpty');
    const deleted = await s3.send(new DeleteObjectsCommand({ Bucket: 'doomed', Delete: { Objects: [{ Key: 'k1' }, { Key: 'k2' }, { Key: 'never' }] } }));
    expect(deleted.Deleted?.map((d) => d.Key).sort()).toEqual(['k1', 'k2', 'never']);
    await s3.send(new DeleteBucketCommand({ Bucket: 'doomed' }));
    const buckets = await s3.send(new ListBucketsCommand({}));
    expect(buckets.Buckets?.map((b) => b.Name)).not.toContain('doomed');
    expect((await errorOf(s3.send(new CreateBucketCommand({ Bucket: 'list' })))).name).toBe('BucketAlreadyOwnedByYou');
  });

  it('lists multipart uploads by prefix', async () => {
    await s3.send(new CreateMultipartUploadCommand({ Bucket: 'list', Key: 'uploads/one' }));
    await s3.send(new CreateMultipartUploadCommand({ Bucket: 'list', Key: 'other/two' }));
    const listed = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'list', Prefix: 'uploads/' }));
    expect(listed.Uploads?.map((u) => u.Key)).toEqual(['uploads/one']);
  });

  it('applies bucket default encryption to writes without SSE headers', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'encrypted' }));
    const key = env.aws.ensureKey('alias/default-key');
    await s3.send(new PutBucketEncryptionCommand({ Bucket: 'encrypted', ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: key.arn } }] } }));
    const put = await s3.send(new PutObjectCommand({ Bucket: 'encrypted', Key: 'k', Body: 'secret' }));
    expect(put.ServerSideEncryption).toBe('aws:kms');
    expect(put.SSEKMSKeyId).toBe(key.arn);
    expect(put.ETag).not.toBe('"5ebe2294ecd0e0f08eab7690d2a6ee69"'); // not the MD5: S3 does not MD5 SSE-KMS bodies
  });

  it('enforces a bucket policy, including aws:SecureTransport', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'guarded' }));
    await s3.send(new PutObjectCommand({ Bucket: 'guarded', Key: 'k', Body: 'v' }));
    const policy = {
      Version: '2012-10-17',
      Statement: [{ Sid: 'TlsOnly', Effect: 'Deny', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::guarded/*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }],
    };
    await s3.send(new PutBucketPolicyCommand({ Bucket: 'guarded', Policy: JSON.stringify(policy) }));
    expect(JSON.parse((await s3.send(new GetBucketPolicyCommand({ Bucket: 'guarded' }))).Policy!)).toEqual(policy);
    expect((await errorOf(s3.send(new GetObjectCommand({ Bucket: 'guarded', Key: 'k' })))).name).toBe('AccessDenied');
    await s3.send(new HeadObjectCommand({ Bucket: 'list', Key: 'c' }));
    const malformed = await errorOf(s3.send(new PutBucketPolicyCommand({ Bucket: 'guarded', Policy: 'not json' })));
    expect(malformed.name).toBe('MalformedPolicy');
  });

  it('answers CORS preflights and exposes ETag to the allowed origin', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'browser' }));
    await s3.send(
      new PutBucketCorsCommand({
        Bucket: 'browser',
        CORSConfiguration: { CORSRules: [{ AllowedOrigins: ['https://app.example'], AllowedMethods: ['PUT', 'POST'], AllowedHeaders: ['*'], ExposeHeaders: ['ETag'], MaxAgeSeconds: 600 }] },
      }),
    );
    const preflight = await fetch(`${env.aws.url}/browser/uploads/x?partNumber=1&uploadId=u`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'authorization,x-amz-date,content-type' },
    });
    expect(preflight.status).toBe(200);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('authorization, x-amz-date, content-type');
    expect(preflight.headers.get('access-control-expose-headers')).toBe('ETag');
    const denied = await fetch(`${env.aws.url}/browser/k`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'PUT' } });
    expect(denied.status).toBe(403);
    const put = await env.s3({ customUserAgent: 'browser' });
    put.middlewareStack.add((next) => async (args) => {
      (args.request as { headers: Record<string, string> }).headers.origin = 'https://app.example';
      return next(args);
    }, { step: 'build' });
    const { $metadata } = await put.send(new PutObjectCommand({ Bucket: 'browser', Key: 'k', Body: 'x' }));
    expect($metadata.httpStatusCode).toBe(200);
  });

  it('expires objects and aborts stale uploads by lifecycle rules', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'expiring' }));
    await s3.send(new PutObjectCommand({ Bucket: 'expiring', Key: 'tmp/old', Body: 'x' }));
    await s3.send(new PutObjectCommand({ Bucket: 'expiring', Key: 'keep/old', Body: 'x' }));
    await s3.send(new CreateMultipartUploadCommand({ Bucket: 'expiring', Key: 'tmp/upload' }));
    await s3.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: 'expiring',
        LifecycleConfiguration: {
          Rules: [{ ID: 'tmp', Status: 'Enabled', Filter: { Prefix: 'tmp/' }, Expiration: { Days: 1 }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }],
        },
      }),
    );
    await vi.waitFor(async () => {
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'expiring' }));
      expect(listed.Contents?.map((o) => o.Key)).toEqual(['keep/old']);
      const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'expiring' }));
      expect(uploads.Uploads ?? []).toEqual([]);
    }, { timeout: 60_000, interval: 50 });
  });
});
