import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FailpointName, StepHook } from '../../../src/failpoints.js';
import { SOURCE_CHANGED } from '../../../src/promotion/promote.js';
import { crc32Of, fileEventTypes, isGone, putWithTicket } from '../../helpers/dock.js';
import { awaitStatus, requestUpload } from '../../helpers/files.js';
import type { Ticket } from '../../helpers/operations.js';
import { until } from '../../helpers/process.js';
import { queueUrl, rootSqs } from '../../helpers/queues.js';
import { startStack, type Stack } from '../../helpers/stack.js';

const MiB = 1024 * 1024;

/**
 * The owner's credentials stay valid while a promotion runs, so the dock
 * object can be replaced between its check and its copy. The step hook does
 * that at the exact step, deterministically: the vault must never take the
 * replacement, and a promotion that fails must leave the vault empty.
 */
describe('the vault copy is bound to the dock object that was verified', () => {
  let stack: Stack;
  let token: string;
  let sqs: SQSClient;
  let root: S3Client;
  let fileEvents: string;
  // What a test does when a given file's promotion reaches a step; each action runs once.
  const actions = new Map<string, Partial<Record<FailpointName, () => Promise<void>>>>();
  const stepHook: StepHook = async (step, fileId) => {
    const planned = actions.get(fileId);
    const act = planned?.[step];
    if (!act) return;
    delete planned[step];
    await act();
  };

  beforeAll(async () => {
    stack = await startStack(
      {
        // One promotion at a time, so the event of the replacing write waits for the promotion under attack to end.
        LFS_PROMOTION_CONCURRENCY: '1',
        LFS_SINGLE_COPY_LIMIT: String(6 * MiB),
        LFS_COPY_PART_SIZE: String(5 * MiB),
        LFS_COPY_CONCURRENCY: '1',
        LFS_PROMOTION_RETRY_BASE_SECONDS: '1',
      },
      undefined,
      { stepHook },
    );
    root = stack.rootS3();
    token = await stack.token('mallory');
    sqs = rootSqs(stack.app);
    fileEvents = await queueUrl(sqs, stack.app.config.storage.fileEventsQueue);
  });
  afterAll(async () => {
    sqs?.destroy();
    await stack?.stop();
  });

  const vault = () => stack.app.config.storage.vaultBucket;
  const vaultKey = (fileId: string) => `files/${fileId}`;

  async function vaultIsEmptyOf(fileId: string): Promise<boolean> {
    const objects = await root.send(new ListObjectsV2Command({ Bucket: vault(), Prefix: vaultKey(fileId) }));
    const uploads = await root.send(new ListMultipartUploadsCommand({ Bucket: vault(), Prefix: vaultKey(fileId) }));
    return (objects.KeyCount ?? 0) === 0 && (uploads.Uploads?.length ?? 0) === 0;
  }

  const dockIsEmptyOf = (ticket: Ticket) => isGone(root, ticket.target.bucket, ticket.target.key);

  async function expectFailedWithEmptyVault(ticket: Ticket, reason: RegExp | string) {
    const file = await awaitStatus(stack, token, ticket.file.id, ['FAILED', 'AVAILABLE']);
    expect(file.status).toBe('FAILED');
    expect(file.failureReason).toMatch(reason);
    // The removals follow the FAILED commit (only a FAILED file may lose its vault object): wait for them.
    await until('the vault to hold nothing of the file', () => vaultIsEmptyOf(ticket.file.id));
    await until('the dock object to be deleted', () => dockIsEmptyOf(ticket));
    expect(await fileEventTypes(sqs, fileEvents, ticket.file.id)).toEqual(['FileFailed']);
  }

  it.each([
    { path: 'one CopyObject', size: 1000, step: 'promotion.before-copy', swapSize: 1 },
    { path: 'one CopyObject', size: 1000, step: 'promotion.before-copy', swapSize: 7 * MiB },
    { path: 'parallel UploadPartCopy', size: 11 * MiB, step: 'promotion.before-copy', swapSize: 16 * MiB },
    { path: 'parallel UploadPartCopy', size: 11 * MiB, step: 'promotion.mid-copy', swapSize: 16 * MiB },
  ] as const)('$path: a dock object swapped for $swapSize bytes at $step never reaches the vault; the file ends FAILED', async ({ size, step, swapSize }) => {
    const ticket = await requestUpload(stack, token, { name: 'swapped.bin', size });
    actions.set(ticket.file.id, { [step]: () => putWithTicket(ticket, Buffer.alloc(swapSize, 0xee)) });
    await putWithTicket(ticket, Buffer.alloc(size, 0x11));
    await expectFailedWithEmptyVault(ticket, SOURCE_CHANGED);
    expect(actions.get(ticket.file.id)).toEqual({});
  });

  const wrongVaultObject = (fileId: string, body: Buffer) => async () => {
    await root.send(new DeleteObjectCommand({ Bucket: vault(), Key: vaultKey(fileId) }));
    await root.send(new PutObjectCommand({ Bucket: vault(), Key: vaultKey(fileId), Body: body }));
  };

  it.each([
    { what: 'the copy has the wrong size', checksum: false, step: 'promotion.after-copy', wrong: Buffer.alloc(1, 0xee) },
    { what: 'the copy has the wrong content (declared checksum)', checksum: true, step: 'promotion.after-copy', wrong: Buffer.alloc(4096, 0xee) },
    { what: 'a wrong object already sits in the vault', checksum: false, step: 'promotion.before-copy', wrong: Buffer.alloc(10, 0xee) },
  ] as const)('post-copy verification: $what → FAILED and the vault left empty', async ({ checksum, step, wrong }) => {
    const body = Buffer.alloc(4096, 0x22);
    const declared = checksum ? { checksum: { algorithm: 'CRC32', value: await crc32Of(body) } } : {};
    const ticket = await requestUpload(stack, token, { name: 'corrupted.bin', size: body.length, ...declared });
    actions.set(ticket.file.id, { [step]: wrongVaultObject(ticket.file.id, wrong) });
    await putWithTicket(ticket, body);
    await expectFailedWithEmptyVault(ticket, /the vault copy was wrong and was removed: (size|checksum) mismatch/);
    expect(actions.get(ticket.file.id)).toEqual({});
  });

  it('a write to the dock after the file is AVAILABLE never touches its vault object', async () => {
    const body = Buffer.alloc(2048, 0x33);
    const ticket = await requestUpload(stack, token, { name: 'kept.bin', size: body.length });
    await putWithTicket(ticket, body);
    expect((await awaitStatus(stack, token, ticket.file.id, ['AVAILABLE', 'FAILED'])).status).toBe('AVAILABLE');
    const before = await root.send(new HeadObjectCommand({ Bucket: vault(), Key: vaultKey(ticket.file.id) }));
    // The owner writes again (a new dock event for a final file), with a wrong size.
    await putWithTicket(ticket, Buffer.alloc(1, 0xee));
    await until('the late dock object to be cleared', () => dockIsEmptyOf(ticket));
    const after = await root.send(new GetObjectCommand({ Bucket: vault(), Key: vaultKey(ticket.file.id) }));
    expect(after.ETag).toBe(before.ETag);
    expect(Buffer.from(await after.Body!.transformToByteArray()).equals(body)).toBe(true);
    expect((await awaitStatus(stack, token, ticket.file.id, ['AVAILABLE', 'FAILED'])).status).toBe('AVAILABLE');
    expect(await fileEventTypes(sqs, fileEvents, ticket.file.id)).toEqual(['FileAvailable']);
  });
});
