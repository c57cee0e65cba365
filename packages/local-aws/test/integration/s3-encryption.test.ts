import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import Database from 'better-sqlite3';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutBucketEncryptionCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf } from '../helpers/aws-errors.js';
import { flipByte, marked, PLAINTEXT_MARKER } from '../helpers/data.js';
import { bytesOf, startLocalS3, type StartedLocalAws } from '../helpers/local-aws.js';

const MiB = 1024 * 1024;
/** The at-rest frame size: ranges are chosen to straddle its multiples. */
const FRAME = MiB;

/** Every file under `dir` that contains `needle` (the metadata database and its WAL included). */
async function filesContaining(dir: string, needle: Buffer): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const hits: string[] = [];
  for (const entry of entries.filter((e) => e.isFile())) {
    const path = join(entry.parentPath, entry.name);
    if ((await readFile(path)).includes(needle)) hits.push(path);
  }
  return hits;
}

describe('local S3: encryption at rest', () => {
  let env: StartedLocalAws;
  let s3: S3Client;
  let dockKey: string;
  let vaultKey: string;

  /** The blob files holding an object's body, in order (read from the metadata database). */
  const blobPaths = (bucket: string, key: string): string[] => {
    const db = new Database(join(env.dataDir, 'metadata.sqlite'), { readonly: true });
    try {
      const row = db.prepare('SELECT segments FROM s3_objects WHERE bucket = ? AND key = ?').get(bucket, key) as { segments: string };
      return (JSON.parse(row.segments) as { blob: string }[]).map(({ blob }) => join(env.dataDir, 's3', 'blobs', blob.slice(0, 2), blob));
    } finally {
      db.close();
    }
  };

  beforeAll(async () => {
    ({ env, s3 } = await startLocalS3(['plain', 'dock', 'vault']));
    dockKey = env.aws.ensureKey('alias/dock').arn;
    vaultKey = env.aws.ensureKey('alias/vault').arn;
    await s3.send(
      new PutBucketEncryptionCommand({
        Bucket: 'vault',
        ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: vaultKey } }] },
      }),
    );
  });
  afterAll(() => env?.stop());

  it('reports AES256 for an object written without SSE, and the algorithm and key ARN for SSE-KMS', async () => {
    const plain = await s3.send(new PutObjectCommand({ Bucket: 'plain', Key: 'a', Body: 'hello' }));
    expect(plain.ServerSideEncryption).toBe('AES256');
    expect((await s3.send(new HeadObjectCommand({ Bucket: 'plain', Key: 'a' }))).ServerSideEncryption).toBe('AES256');
    const kms = await s3.send(new PutObjectCommand({ Bucket: 'dock', Key: 'a', Body: 'hello', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'alias/dock' }));
    expect([kms.ServerSideEncryption, kms.SSEKMSKeyId]).toEqual(['aws:kms', dockKey]);
    const byDefault = await s3.send(new PutObjectCommand({ Bucket: 'vault', Key: 'a', Body: 'hello' }));
    expect([byDefault.ServerSideEncryption, byDefault.SSEKMSKeyId]).toEqual(['aws:kms', vaultKey]);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'vault', Key: 'a' }));
    expect([got.ServerSideEncryption, got.SSEKMSKeyId, await got.Body!.transformToString()]).toEqual(['aws:kms', vaultKey, 'hello']);
  });

  it('leaves nothing readable in the data folder after puts, multipart uploads, copies and part copies', async () => {
    const bodies = { put: marked(FRAME + 300), sse: marked(2000), kms: marked(3 * FRAME), chunked: marked(FRAME + 7) };
    await s3.send(new PutObjectCommand({ Bucket: 'plain', Key: 'put', Body: bodies.put }));
    await s3.send(new PutObjectCommand({ Bucket: 'plain', Key: 'sse', Body: bodies.sse, ServerSideEncryption: 'AES256' }));
    await s3.send(new PutObjectCommand({ Bucket: 'dock', Key: 'kms', Body: bodies.kms, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: dockKey }));
    // A stream of unknown length goes out aws-chunked with a trailing checksum.
    await s3.send(new PutObjectCommand({ Bucket: 'dock', Key: 'chunked', Body: Readable.from([bodies.chunked]), ContentLength: bodies.chunked.length }));

    const parts = [marked(5 * MiB), marked(FRAME / 2)];
    const upload = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'dock', Key: 'multi', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: dockKey }));
    const etags = [];
    for (const [index, Body] of parts.entries()) {
      etags.push((await s3.send(new UploadPartCommand({ Bucket: 'dock', Key: 'multi', UploadId: upload.UploadId, PartNumber: index + 1, Body }))).ETag);
    }
    await s3.send(
      new CompleteMultipartUploadCommand({ Bucket: 'dock', Key: 'multi', UploadId: upload.UploadId, MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) } }),
    );

    // The promotion path: a copy into the vault under the vault key, and a multipart copy from ranges.
    const copy = await s3.send(new CopyObjectCommand({ Bucket: 'vault', Key: 'copied', CopySource: 'dock/multi', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: vaultKey }));
    expect(copy.SSEKMSKeyId).toBe(vaultKey);
    const whole = Buffer.concat(parts);
    const target = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'vault', Key: 'part-copied' }));
    const ranges = [
      [0, 5 * MiB - 1],
      [5 * MiB, whole.length - 1],
    ];
    const copied = [];
    for (const [index, [first, last]] of ranges.entries()) {
      const part = await s3.send(
        new UploadPartCopyCommand({ Bucket: 'vault', Key: 'part-copied', UploadId: target.UploadId, PartNumber: index + 1, CopySource: 'dock/multi', CopySourceRange: `bytes=${first}-${last}` }),
      );
      copied.push({ ETag: part.CopyPartResult!.ETag, PartNumber: index + 1 });
    }
    await s3.send(new CompleteMultipartUploadCommand({ Bucket: 'vault', Key: 'part-copied', UploadId: target.UploadId, MultipartUpload: { Parts: copied } }));

    expect(await filesContaining(env.dataDir, PLAINTEXT_MARKER)).toEqual([]);
    expect((await bytesOf(s3, 'plain', 'put')).equals(bodies.put)).toBe(true);
    expect((await bytesOf(s3, 'plain', 'sse')).equals(bodies.sse)).toBe(true);
    expect((await bytesOf(s3, 'dock', 'kms')).equals(bodies.kms)).toBe(true);
    expect((await bytesOf(s3, 'dock', 'chunked')).equals(bodies.chunked)).toBe(true);
    expect((await bytesOf(s3, 'dock', 'multi')).equals(whole)).toBe(true);
    expect((await bytesOf(s3, 'vault', 'copied')).equals(whole)).toBe(true);
    expect((await bytesOf(s3, 'vault', 'part-copied')).equals(whole)).toBe(true);
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'vault', Key: 'part-copied' }));
    expect([head.ServerSideEncryption, head.SSEKMSKeyId]).toEqual(['aws:kms', vaultKey]);
  });

  describe('ranges across frame and part boundaries', () => {
    const parts = [marked(5 * MiB + 3), marked(2 * FRAME + 11)];
    const whole = Buffer.concat(parts);
    beforeAll(async () => {
      const upload = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'dock', Key: 'ranged', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: dockKey }));
      const done = [];
      for (const [index, Body] of parts.entries()) {
        const part = await s3.send(new UploadPartCommand({ Bucket: 'dock', Key: 'ranged', UploadId: upload.UploadId, PartNumber: index + 1, Body }));
        done.push({ ETag: part.ETag, PartNumber: index + 1 });
      }
      await s3.send(new CompleteMultipartUploadCommand({ Bucket: 'dock', Key: 'ranged', UploadId: upload.UploadId, MultipartUpload: { Parts: done } }));
    });

    it.each([
      ['one byte', 0, 0],
      ['across a frame boundary', FRAME - 5, FRAME + 5],
      ['several whole frames and two partial ones', FRAME / 2, 3 * FRAME + 17],
      ['across the part boundary', 5 * MiB - 2, 5 * MiB + 10],
      ['across a frame boundary of the second part', 5 * MiB + 3 + FRAME - 1, 5 * MiB + 3 + FRAME],
      ['the last byte', whole.length - 1, whole.length - 1],
    ])('%s', async (_name, first, last) => {
      expect((await bytesOf(s3, 'dock', 'ranged', `bytes=${first}-${last}`)).equals(whole.subarray(first, last + 1))).toBe(true);
    });

    it('a suffix range', async () => {
      expect((await bytesOf(s3, 'dock', 'ranged', 'bytes=-1000')).equals(whole.subarray(whole.length - 1000))).toBe(true);
    });
  });

  it('answers 500 InternalError when a stored byte of the first frame was changed', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'dock', Key: 'tampered', Body: marked(5000), ServerSideEncryption: 'aws:kms', SSEKMSKeyId: dockKey }));
    const [path] = blobPaths('dock', 'tampered');
    await flipByte(path, 1000);
    const error = await errorOf(bytesOf(s3, 'dock', 'tampered'));
    expect([error.name, error.$metadata.httpStatusCode]).toEqual(['InternalError', 500]);
    // A range in an intact part of the blob is no way around it: the frame is checked whole.
    expect((await errorOf(bytesOf(s3, 'dock', 'tampered', 'bytes=4000-4001'))).name).toBe('InternalError');
  });

  it('aborts the body, never sending altered bytes, when a later frame was changed', async () => {
    const body = marked(3 * FRAME);
    await s3.send(new PutObjectCommand({ Bucket: 'plain', Key: 'tampered-late', Body: body }));
    const [path] = blobPaths('plain', 'tampered-late');
    await flipByte(path, (await readFile(path)).length - 10);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'plain', Key: 'tampered-late' }));
    const received: Buffer[] = [];
    await expect(
      (async () => {
        for await (const chunk of got.Body as Readable) received.push(chunk as Buffer);
      })(),
    ).rejects.toThrow();
    const prefix = Buffer.concat(received);
    expect(prefix.length).toBeLessThan(body.length);
    expect(prefix.equals(body.subarray(0, prefix.length))).toBe(true);
  });

  it('keeps every object readable after a restart', async () => {
    const kms = marked(FRAME + 1);
    const sse = marked(10);
    await s3.send(new PutObjectCommand({ Bucket: 'dock', Key: 'durable-kms', Body: kms, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: dockKey }));
    await s3.send(new PutObjectCommand({ Bucket: 'plain', Key: 'durable-sse', Body: sse }));
    await env.restart();
    const client = env.s3();
    expect((await bytesOf(client, 'dock', 'durable-kms')).equals(kms)).toBe(true);
    expect((await bytesOf(client, 'plain', 'durable-sse')).equals(sse)).toBe(true);
    s3 = client;
  });

  it('needs kms:GenerateDataKey on the key to write (PutObject, UploadPart) and kms:Decrypt to read', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'dock', Key: 'secret', Body: 'x', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: dockKey }));
    const upload = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'dock', Key: 'by-parts', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: dockKey }));
    const sessionWith = async (kmsActions: string[]) => {
      const role = env.aws.putRole({
        name: `no-kms-${kmsActions.length}`,
        policies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject', ...kmsActions], Resource: '*' }] }],
      });
      const sts = new STSClient({ endpoint: env.aws.url, region: env.aws.region, credentials: env.aws.rootCredentials });
      const { Credentials: c } = await sts.send(new AssumeRoleCommand({ RoleArn: role.arn, RoleSessionName: 'enc-test', DurationSeconds: 900 }));
      sts.destroy();
      return env.s3({ credentials: { accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken! } });
    };
    const none = await sessionWith([]);
    expect((await errorOf(none.send(new PutObjectCommand({ Bucket: 'dock', Key: 'w', Body: 'x', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: dockKey })))).name).toBe('AccessDenied');
    expect((await errorOf(none.send(new UploadPartCommand({ Bucket: 'dock', Key: 'by-parts', UploadId: upload.UploadId, PartNumber: 1, Body: 'x' })))).name).toBe('AccessDenied');
    expect((await errorOf(bytesOf(none, 'dock', 'secret'))).name).toBe('AccessDenied');
    // SSE-S3 needs no KMS permission at all.
    await none.send(new PutObjectCommand({ Bucket: 'plain', Key: 'w', Body: 'x' }));
    expect((await bytesOf(none, 'plain', 'w')).toString()).toBe('x');

    const writer = await sessionWith(['kms:GenerateDataKey']);
    await writer.send(new UploadPartCommand({ Bucket: 'dock', Key: 'by-parts', UploadId: upload.UploadId, PartNumber: 1, Body: 'x' }));
    expect((await errorOf(bytesOf(writer, 'dock', 'secret'))).name).toBe('AccessDenied');
  });
});
