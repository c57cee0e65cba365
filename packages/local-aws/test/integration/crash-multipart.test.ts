import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { sha256Of } from '../helpers/data.js';
import { filesUnder, spawnLocalAws, type LocalAwsProcess } from '../helpers/local-aws-process.js';

const MiB = 1024 * 1024;
const PART_SIZE = 64 * MiB;
const PARTS = 16; // 1 GiB
const ACKNOWLEDGED = 6;
const IN_FLIGHT = [7, 8, 9];

/**
 * Part `n` is 64 one-MiB blocks of one random base block stamped with
 * (part, block): reproducible, so the object's SHA-256 can be computed
 * without ever holding more than a block.
 */
const base = randomBytes(MiB);
function block(part: number, index: number): Buffer {
  const out = Buffer.from(base);
  out.writeUInt32BE(part, 0);
  out.writeUInt32BE(index, 4);
  return out;
}

function partBody(part: number): Readable {
  let index = 0;
  return new Readable({
    read() {
      this.push(index < PART_SIZE / MiB ? block(part, index++) : null);
    },
  });
}

/** Sends half of a part, then stalls; `halfSent` resolves once the client has taken that half and asks for more. */
function stalledBody(part: number): { body: Readable; halfSent: Promise<void> } {
  let index = 0;
  let signal!: () => void;
  const halfSent = new Promise<void>((resolve) => (signal = resolve));
  const body = new Readable({
    read() {
      if (index < PART_SIZE / MiB / 2) this.push(block(part, index++));
      else signal();
    },
  });
  return { body, halfSent };
}

function expectedSha256(): string {
  const hash = createHash('sha256');
  for (let part = 1; part <= PARTS; part++) for (let i = 0; i < PART_SIZE / MiB; i++) hash.update(block(part, i));
  return hash.digest('hex');
}

describe('kill -9 during a 1 GiB multipart upload', () => {
  let dataDir: string | undefined;
  let proc: LocalAwsProcess | undefined;
  const clients: S3Client[] = [];

  const client = (p: LocalAwsProcess) => {
    const s3 = new S3Client({ endpoint: p.url, region: p.region, credentials: p.credentials, forcePathStyle: true, maxAttempts: 1 });
    clients.push(s3);
    return s3;
  };

  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await proc?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps every acknowledged part, shows nothing half-written, and the upload completes after restart', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'lfs-crash-mpu-'));
    proc = await spawnLocalAws(dataDir);
    let s3 = client(proc);
    await s3.send(new CreateBucketCommand({ Bucket: 'dock' }));
    const target = { Bucket: 'dock', Key: 'uploads/one-gib' };
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand(target));

    const etags = new Map<number, string>();
    const upload = async (client: S3Client, part: number) => {
      const { ETag } = await client.send(new UploadPartCommand({ ...target, UploadId, PartNumber: part, Body: partBody(part), ContentLength: PART_SIZE }));
      etags.set(part, ETag!);
    };
    for (let part = 1; part <= ACKNOWLEDGED; part += 2) await Promise.all([upload(s3, part), upload(s3, part + 1)]);

    // Parts 7-9 are half sent when the process dies.
    const stalled = IN_FLIGHT.map((part) => ({ part, ...stalledBody(part) }));
    const inFlight = stalled.map(({ part, body }) =>
      s3.send(new UploadPartCommand({ ...target, UploadId, PartNumber: part, Body: body, ContentLength: PART_SIZE })).then(
        () => 'acknowledged',
        () => 'failed',
      ),
    );
    await Promise.all(stalled.map((s) => s.halfSent));
    await proc.crash();
    expect(await Promise.all(inFlight)).toEqual(IN_FLIGHT.map(() => 'failed'));
    for (const { body } of stalled) body.destroy();
    // The kill did land mid-write: the half-sent parts left files behind.
    expect((await filesUnder(join(dataDir, 's3'))).length).toBeGreaterThan(ACKNOWLEDGED);

    proc = await spawnLocalAws(dataDir);
    s3 = client(proc);
    // Start-up removed the temp files of the interrupted writes; only the acknowledged parts' blobs remain.
    expect(await filesUnder(join(dataDir, 's3', 'tmp'))).toEqual([]);
    expect(await filesUnder(join(dataDir, 's3'))).toHaveLength(ACKNOWLEDGED);
    const listed = await s3.send(new ListPartsCommand({ ...target, UploadId }));
    expect(listed.Parts?.map((p) => [p.PartNumber, p.ETag, p.Size])).toEqual(
      Array.from({ length: ACKNOWLEDGED }, (_, i) => [i + 1, etags.get(i + 1), PART_SIZE]),
    );
    await expect(s3.send(new HeadObjectCommand(target))).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
    expect((await s3.send(new ListObjectsV2Command({ Bucket: 'dock' }))).KeyCount).toBe(0);

    for (let part = ACKNOWLEDGED + 1; part <= PARTS; part += 2) await Promise.all([upload(s3, part), upload(s3, part + 1)]);
    const Parts = Array.from({ length: PARTS }, (_, i) => ({ PartNumber: i + 1, ETag: etags.get(i + 1) }));
    await s3.send(new CompleteMultipartUploadCommand({ ...target, UploadId, MultipartUpload: { Parts } }));
    const got = await s3.send(new GetObjectCommand(target));
    expect(got.ContentLength).toBe(PARTS * PART_SIZE);
    expect(await sha256Of(got.Body as Readable)).toBe(expectedSha256());
  });
});
