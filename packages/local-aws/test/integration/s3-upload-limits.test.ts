import {
  AbortMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListMultipartUploadsCommand,
  type MultipartUpload,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalAws } from '../../src/server.js';
import { awsRefusal, errorOf } from '../helpers/aws-errors.js';
import { startLocalS3, type StartedLocalAws } from '../helpers/local-aws.js';

async function* listAll(s3: S3Client, Bucket: string, MaxUploads: number): AsyncGenerator<MultipartUpload> {
  let markers: { KeyMarker?: string; UploadIdMarker?: string } = {};
  for (;;) {
    const page = await s3.send(new ListMultipartUploadsCommand({ Bucket, MaxUploads, ...markers }));
    yield* page.Uploads ?? [];
    if (!page.IsTruncated) return;
    markers = { KeyMarker: page.NextKeyMarker, UploadIdMarker: page.NextUploadIdMarker };
  }
}

async function startMany(s3: S3Client, Bucket: string, Key: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push((await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }))).UploadId!);
  return ids;
}

describe('local S3: open multipart uploads per key', () => {
  let env: StartedLocalAws;
  let s3: S3Client;
  beforeAll(async () => {
    ({ env, s3 } = await startLocalS3(['limits', 'other']));
  });
  afterAll(() => env?.stop());

  it('refuses the 11th upload of a key (default limit 10) with InvalidRequest, whoever asks, until one ends', async () => {
    const ids = await startMany(s3, 'limits', 'k', 10);
    const refused = await errorOf(s3.send(new CreateMultipartUploadCommand({ Bucket: 'limits', Key: 'k' })));
    expect({ code: refused.name, status: refused.$metadata.httpStatusCode }).toEqual({ code: 'InvalidRequest', status: 400 });
    expect(refused.message).toMatch(/already has 10 multipart uploads in progress/);
    const listed = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'limits', Prefix: 'k' }));
    expect(listed.Uploads?.map((u) => u.UploadId)).toEqual(ids);

    // Other keys, and the same key in another bucket, have their own allowance.
    await s3.send(new CreateMultipartUploadCommand({ Bucket: 'limits', Key: 'k2' }));
    await s3.send(new CreateMultipartUploadCommand({ Bucket: 'other', Key: 'k' }));

    await s3.send(new AbortMultipartUploadCommand({ Bucket: 'limits', Key: 'k', UploadId: ids[3] }));
    await s3.send(new CreateMultipartUploadCommand({ Bucket: 'limits', Key: 'k' }));
    expect(await awsRefusal(s3.send(new CreateMultipartUploadCommand({ Bucket: 'limits', Key: 'k' })))).toEqual({ code: 'InvalidRequest', status: 400 });
  });
});

describe('local S3: listing multipart uploads page by page', () => {
  let env: StartedLocalAws;
  let s3: S3Client;
  beforeAll(async () => {
    ({ env, s3 } = await startLocalS3(['many'], { maxUploadsPerKey: 500 }));
  });
  afterAll(() => env?.stop());

  it('lists a key\'s uploads in initiation order, and misses none when each is aborted as it is listed', async () => {
    const first = await startMany(s3, 'many', 'a', 3);
    const crowded = await startMany(s3, 'many', 'b', 240);
    const last = await startMany(s3, 'many', 'c', 3);

    const listed: string[] = [];
    for await (const upload of listAll(s3, 'many', 50)) listed.push(upload.UploadId!);
    expect(listed).toEqual([...first, ...crowded, ...last]);

    // The markers are positions: the marker's own upload being gone must not end the listing early.
    const aborted: string[] = [];
    for await (const upload of listAll(s3, 'many', 50)) {
      await s3.send(new AbortMultipartUploadCommand({ Bucket: 'many', Key: upload.Key, UploadId: upload.UploadId }));
      aborted.push(upload.UploadId!);
    }
    expect(aborted).toEqual(listed);
    expect((await s3.send(new ListMultipartUploadsCommand({ Bucket: 'many' }))).Uploads ?? []).toEqual([]);
  });

  it('refuses a limit that is not a positive integer', () => {
    expect(() => createLocalAws({ dataDir: env.dataDir, maxUploadsPerKey: 0 })).toThrow(/maxUploadsPerKey/);
  });
});
