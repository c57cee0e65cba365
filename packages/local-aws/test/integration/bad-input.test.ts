import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetBucketCorsCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutBucketCorsCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { HttpRequest } from '@smithy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf } from '../helpers/aws-errors.js';
import { startLocalAws, type StartedLocalAws } from '../helpers/local-aws.js';
import { filesUnder } from '../helpers/local-aws-process.js';

const MiB = 1024 * 1024;
const BUCKET = 'guarded';

interface Failure {
  name: string;
  status: number | undefined;
}

async function failureOf(promise: Promise<unknown>): Promise<Failure> {
  const e = await errorOf(promise);
  return { name: e.name, status: e.$metadata?.httpStatusCode };
}

/** Rewrites the request the SDK built, before it is checksummed, measured and signed: how a client sends what the SDK would not. */
function tamper<C extends { middlewareStack: { add: (...args: never[]) => unknown } }>(client: C, change: (request: HttpRequest) => void): C {
  (client.middlewareStack as unknown as { add: (m: unknown, o: unknown) => void }).add(
    (next: (args: { request: HttpRequest }) => Promise<unknown>) => async (args: { request: HttpRequest }) => {
      change(args.request);
      if (typeof args.request.body === 'string') args.request.headers['content-length'] = String(Buffer.byteLength(args.request.body));
      return next(args);
    },
    { step: 'build', priority: 'high' },
  );
  return client;
}

/**
 * Bad inputs get the AWS error code and HTTP status, and leave storage as it
 * was: the same objects, uploads, parts, bucket settings and blob files.
 */
describe('bad inputs leave storage unchanged', () => {
  let env: StartedLocalAws;
  let s3: S3Client;
  let sandbox: string;
  let uploadId: string;
  const part1 = randomBytes(5 * MiB);
  const clients: { destroy(): void }[] = [];

  const keep = <T extends { destroy(): void }>(client: T) => (clients.push(client), client);

  /** Everything a bad request could have changed. */
  const snapshot = async () => {
    const objects = (await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }))).Contents?.map((o) => [o.Key, o.ETag, o.Size]);
    const uploads = (await s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }))).Uploads?.map((u) => [u.Key, u.UploadId]);
    const parts = (await s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: 'mpu', UploadId: uploadId }))).Parts?.map((p) => [p.PartNumber, p.ETag, p.Size]);
    const cors = (await s3.send(new GetBucketCorsCommand({ Bucket: BUCKET }))).CORSRules;
    const files = (await filesUnder(join(env.dataDir, 's3'))).sort();
    return { objects, uploads, parts, cors, files };
  };

  /** Asserts the failure's code and status, and that the snapshot did not move. */
  const expectRefused = async (request: () => Promise<unknown>, name: string, status: number) => {
    const before = await snapshot();
    expect(await failureOf(request())).toEqual({ name, status });
    expect(await snapshot()).toEqual(before);
  };

  beforeAll(async () => {
    sandbox = await mkdtemp(join(tmpdir(), 'lfs-bad-input-'));
    await mkdir(join(sandbox, 'data'));
    env = await startLocalAws({ dataDir: join(sandbox, 'data') });
    s3 = keep(env.s3());
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'existing', Body: 'original bytes' }));
    await s3.send(new PutBucketCorsCommand({ Bucket: BUCKET, CORSConfiguration: { CORSRules: [{ AllowedOrigins: ['https://app.example'], AllowedMethods: ['PUT'] }] } }));
    ({ UploadId: uploadId } = (await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'mpu' }))) as { UploadId: string });
    await s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'mpu', UploadId: uploadId, PartNumber: 1, Body: part1 }));
    await s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'mpu', UploadId: uploadId, PartNumber: 2, Body: 'short' }));
  });
  afterAll(async () => {
    for (const client of clients) client.destroy();
    await env?.stop();
    if (sandbox) await rm(sandbox, { recursive: true, force: true });
  });

  it('bad signature: SignatureDoesNotMatch 403', async () => {
    const forged = keep(env.s3({ credentials: { ...env.aws.rootCredentials, secretAccessKey: 'not-the-secret' } }));
    await expectRefused(() => forged.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'existing', Body: randomBytes(2 * MiB) })), 'SignatureDoesNotMatch', 403);
    await expectRefused(() => forged.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'mpu', UploadId: uploadId, PartNumber: 3, Body: 'x' })), 'SignatureDoesNotMatch', 403);
    // A body changed after signing: the signed payload hash no longer matches.
    const altered = keep(env.s3());
    altered.middlewareStack.add(
      (next) => async (args) => {
        (args as { request: HttpRequest }).request.body = 'y';
        return next(args);
      },
      { step: 'finalizeRequest', priority: 'low' },
    );
    const failure = await failureOf(altered.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'existing', Body: 'x' })));
    expect(failure.status).toBe(400);
    expect(failure.name).toMatch(/^(XAmzContentSHA256Mismatch|BadDigest)$/);
    expect((await snapshot()).objects).toEqual([['existing', `"${createHash('md5').update('original bytes').digest('hex')}"`, 14]]);
  });

  it('skewed clock (20 minutes): RequestTimeTooSkewed 403', async () => {
    const late = keep(env.s3({ systemClockOffset: -20 * 60 * 1000 }));
    await expectRefused(() => late.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'skewed', Body: 'x' })), 'RequestTimeTooSkewed', 403);
    const early = keep(env.s3({ systemClockOffset: 20 * 60 * 1000 }));
    await expectRefused(() => early.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'existing' })), 'RequestTimeTooSkewed', 403);
  });

  it('wrong checksum: BadDigest 400 on PutObject and UploadPart, with no blob left behind', async () => {
    await expectRefused(() => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'existing', Body: randomBytes(MiB), ChecksumCRC32: 'AAAAAA==' })), 'BadDigest', 400);
    await expectRefused(() => s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'mpu', UploadId: uploadId, PartNumber: 1, Body: randomBytes(MiB), ChecksumSHA256: createHash('sha256').update('other').digest('base64') })),
      'BadDigest',
      400,
    );
    await expectRefused(() => s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'mpu', UploadId: uploadId, PartNumber: 2, Body: 'abc', ContentMD5: createHash('md5').update('abd').digest('base64') })),
      'BadDigest',
      400,
    );
  });

  it('completion errors: EntityTooSmall, InvalidPartOrder, NoSuchUpload, MalformedXML', async () => {
    const listed = (await s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: 'mpu', UploadId: uploadId }))).Parts!;
    const [p1, p2] = listed.map((p) => ({ PartNumber: p.PartNumber, ETag: p.ETag }));
    const complete = (Parts: { PartNumber?: number; ETag?: string }[], UploadId = uploadId) =>
      s3.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: 'mpu', UploadId, MultipartUpload: { Parts } }));
    // Part 2 (5 bytes) first, part 1 after it: part 2 is not the last part and is under 5 MiB.
    await expectRefused(() => complete([p2, p1]), 'InvalidPartOrder', 400);
    const small = await s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'mpu', UploadId: uploadId, PartNumber: 3, Body: part1 }));
    await expectRefused(() => complete([p1, p2, { PartNumber: 3, ETag: small.ETag }]), 'EntityTooSmall', 400);
    await expectRefused(() => complete([p1], 'no-such-upload-id'), 'NoSuchUpload', 404);
    await expectRefused(() => s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'mpu', UploadId: 'no-such-upload-id', PartNumber: 1, Body: randomBytes(MiB) })), 'NoSuchUpload', 404);
    const broken = keep(tamper(env.s3(), (request) => {
      request.body = '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber>';
    }));
    await expectRefused(() => broken.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: 'mpu', UploadId: uploadId, MultipartUpload: { Parts: [p1] } })), 'MalformedXML', 400);
  });

  it('malformed XML on PutBucketCors: MalformedXML 400, the old rules stay', async () => {
    const broken = keep(tamper(env.s3(), (request) => {
      request.body = '<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin></CORSRul></CORSConfiguration>';
      delete request.headers['content-md5'];
    }));
    await expectRefused(() => broken.send(new PutBucketCorsCommand({ Bucket: BUCKET, CORSConfiguration: { CORSRules: [{ AllowedOrigins: ['*'], AllowedMethods: ['GET'] }] } })), 'MalformedXML', 400);
  });

  it('oversized key: KeyTooLongError 400', async () => {
    const Key = 'k'.repeat(1025);
    await expectRefused(() => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: randomBytes(MiB) })), 'KeyTooLongError', 400);
    await expectRefused(() => s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key })), 'KeyTooLongError', 400);
    // 1024 bytes of multi-byte characters is the limit, not 1024 characters.
    await expectRefused(() => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'é'.repeat(513), Body: 'x' })), 'KeyTooLongError', 400);
  });

  it('denied actions: AccessDenied 403 for a session outside its role and a bucket-policy Deny', async () => {
    const roleArn = env.aws.putRole({ name: 'narrow', policies: [{ Statement: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: `arn:aws:s3:::${BUCKET}/inbox/*` }] }] }).arn;
    const sts = keep(new STSClient({ endpoint: env.aws.url, region: env.aws.region, credentials: env.aws.rootCredentials, maxAttempts: 1 }));
    const { Credentials } = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'narrow-session' }));
    const session = keep(env.s3({ credentials: { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken! } }));
    await expectRefused(() => session.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'existing', Body: randomBytes(MiB) })), 'AccessDenied', 403);
    await expectRefused(() => session.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'existing' })), 'AccessDenied', 403);
    await expectRefused(() => session.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'mpu', UploadId: uploadId, PartNumber: 1, Body: 'x' })), 'AccessDenied', 403);
    await expectRefused(() => session.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'existing' })), 'AccessDenied', 403);

    const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:DeleteObject', Resource: `arn:aws:s3:::${BUCKET}/existing` }] };
    await s3.send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: JSON.stringify(policy) }));
    try {
      await expectRefused(() => s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'existing' })), 'AccessDenied', 403);
    } finally {
      await s3.send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:DeleteObject', Resource: `arn:aws:s3:::${BUCKET}/nothing` }] }) }));
    }
  });

  it('malformed JSON to SQS: SerializationException 400, the queue unchanged', async () => {
    const sqs = keep(new SQSClient({ endpoint: env.aws.url, region: env.aws.region, credentials: env.aws.rootCredentials, maxAttempts: 1 }));
    const { CreateQueueCommand } = await import('@aws-sdk/client-sqs');
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'guarded' }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'kept' }));
    const count = async () =>
      (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }))).Attributes?.ApproximateNumberOfMessages;
    const broken = keep(tamper(new SQSClient({ endpoint: env.aws.url, region: env.aws.region, credentials: env.aws.rootCredentials, maxAttempts: 1 }), (request) => {
      request.body = `{"QueueUrl":"${QueueUrl}","MessageBody":"half`;
    }));
    expect(await failureOf(broken.send(new SendMessageCommand({ QueueUrl, MessageBody: 'never' })))).toEqual({ name: 'SerializationException', status: 400 });
    const notAnObject = keep(tamper(new SQSClient({ endpoint: env.aws.url, region: env.aws.region, credentials: env.aws.rootCredentials, maxAttempts: 1 }), (request) => {
      request.body = '["SendMessage"]';
    }));
    expect(await failureOf(notAnObject.send(new SendMessageCommand({ QueueUrl, MessageBody: 'never' })))).toEqual({ name: 'SerializationException', status: 400 });
    expect(await count()).toBe('1');
  });

  it('traversal attempts are opaque keys: nothing is created outside the data folder', async () => {
    const keys = ['../../etc/passwd', '../outside', '/etc/passwd', 'a/../../../b', '..\\..\\windows', '.', '..'];
    for (const Key of keys) await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: `body of ${Key}` }));
    // Paths as sent on the wire, which an SDK would have encoded: literal dot segments and encoded dots and slashes.
    const raw: [string, string][] = [
      [`/${BUCKET}/../../raw-escape`, '../../raw-escape'],
      [`/${BUCKET}/%2e%2e/%2e%2e/encoded-escape`, '../../encoded-escape'],
      [`/${BUCKET}/..%2f..%2fslash-escape`, '../../slash-escape'],
    ];
    for (const [path] of raw) {
      const writer = keep(tamper(env.s3(), (request) => {
        request.path = path;
      }));
      await writer.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'placeholder', Body: `raw ${path}` }));
    }
    const listed = (await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }))).Contents!.map((o) => o.Key);
    for (const key of [...keys, ...raw.map(([, key]) => key)]) expect(listed).toContain(key);
    expect(listed).not.toContain('placeholder');
    for (const Key of keys) {
      const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key }));
      expect(await got.Body!.transformToString()).toBe(`body of ${Key}`);
    }
    const [[rawPath, rawKey]] = raw;
    expect(await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: rawKey }))).Body!.transformToString()).toBe(`raw ${rawPath}`);
    // The data folder sits alone in a sandbox; anything that escaped it would show up beside it.
    expect(await readdir(sandbox)).toEqual(['data']);
    for (const file of await filesUnder(sandbox)) expect(file.startsWith(join(sandbox, 'data') + '/')).toBe(true);
  });
});
