import {
  AbortMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListMultipartUploadsCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { requestUpload } from '../helpers/files.js';
import type { Ticket } from '../helpers/operations.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { s3ForTicket } from '../helpers/uploader.js';
import { awsRefusal, unchangedBy } from './attack.js';
import { WAIT_TIMEOUT_MS } from '../helpers/waits.js';

/**
 * A ticket's credentials may start multipart uploads on their one key, and
 * each upload may stage 10,000 parts: without limits one ticket could fill
 * the dock far beyond its declared size. The embedded endpoint refuses more
 * than a few open uploads per key, and on any engine LFS aborts the extra
 * and the oversized ones, and cancelUpload aborts them all.
 */

/** The ids of the open multipart uploads of `key`, every page of the listing. */
async function openUploads(stack: Stack, key: string): Promise<string[]> {
  const bucket = stack.app.config.storage.dockBucket;
  const ids: string[] = [];
  let markers: { KeyMarker?: string; UploadIdMarker?: string } = {};
  for (;;) {
    const page = await stack.rootS3().send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: key, ...markers }));
    ids.push(...(page.Uploads ?? []).filter((upload) => upload.Key === key).map((upload) => upload.UploadId!));
    if (!page.IsTruncated) return ids;
    markers = { KeyMarker: page.NextKeyMarker, UploadIdMarker: page.NextUploadIdMarker };
  }
}

function withTicket(ticket: Ticket) {
  const s3 = s3ForTicket(ticket);
  const target = { Bucket: ticket.target.bucket, Key: ticket.target.key };
  return {
    s3,
    target,
    start: async () => (await s3.send(new CreateMultipartUploadCommand({ ...target, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: ticket.target.kmsKeyId }))).UploadId!,
    stage: (UploadId: string, PartNumber: number, bytes: number) => s3.send(new UploadPartCommand({ ...target, UploadId, PartNumber, Body: Buffer.alloc(bytes) })),
  };
}

describe('multipart uploads one ticket can open', () => {
  const clients: S3Client[] = [];
  const ticketClient = (ticket: Ticket) => {
    const client = withTicket(ticket);
    clients.push(client.s3);
    return client;
  };
  afterAll(() => clients.forEach((client) => client.destroy()));

  describe('on the embedded endpoint (default limit: 10 per key)', () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await startStack();
    });
    afterAll(() => stack?.stop());

    it('refuses the 11th upload of one key with InvalidRequest, and a slot frees when one is aborted', async () => {
      const token = await stack.token('alice');
      const ticket = await requestUpload(stack, token, { name: 'a.bin', size: 100 });
      const alice = ticketClient(ticket);
      const started: string[] = [];
      for (let i = 0; i < 10; i++) started.push(await alice.start());

      const refusal = await unchangedBy(stack, () => awsRefusal(alice.start()));
      expect(refusal).toEqual({ code: 'InvalidRequest', status: 400 });
      expect((await openUploads(stack, ticket.target.key)).sort()).toEqual([...started].sort());

      // Another file's key has its own allowance.
      const other = ticketClient(await requestUpload(stack, token, { name: 'b.bin', size: 100 }));
      await other.start();

      await alice.s3.send(new AbortMultipartUploadCommand({ ...alice.target, UploadId: started[0] }));
      const next = await alice.start();
      expect(await openUploads(stack, ticket.target.key)).toContain(next);
    });
  });

  describe('cancelUpload', () => {
    let stack: Stack;
    beforeAll(async () => {
      // Limits raised so that 1,100 uploads can exist: what AWS, which has no such limit, would allow.
      stack = await startStack({ LFS_LOCAL_AWS_MAX_UPLOADS_PER_KEY: '2000', LFS_MAX_UPLOADS_PER_FILE: '2000' });
    });
    afterAll(() => stack?.stop());

    it('aborts every open upload of the key, past the first page of the listing', async () => {
      const token = await stack.token('alice');
      const ticket = await requestUpload(stack, token, { name: 'many.bin', size: 100 });
      const alice = ticketClient(ticket);
      const total = 1100;
      let next = 0;
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (next < total) {
            next++;
            await alice.start();
          }
        }),
      );
      expect(await openUploads(stack, ticket.target.key)).toHaveLength(total);

      const cancelled = await stack.graphql(token, 'mutation ($id: ID!) { cancelUpload(fileId: $id) { status } }', { id: ticket.file.id });
      expect(cancelled.data.cancelUpload.status).toBe('CANCELLED');
      expect(await openUploads(stack, ticket.target.key)).toEqual([]);
    });
  });

  describe('the cleanup job, whatever the engine allows', () => {
    let stack: Stack;
    beforeAll(async () => {
      // The endpoint's own limit raised, so that what is tested is LFS's pruning, which also runs against AWS.
      stack = await startStack({ LFS_LOCAL_AWS_MAX_UPLOADS_PER_KEY: '100', LFS_MAX_UPLOADS_PER_FILE: '3', LFS_CLEANUP_INTERVAL_SECONDS: '1' });
    });
    afterAll(() => stack?.stop());

    it('keeps the 3 newest uploads of a key and aborts the older ones', async () => {
      const token = await stack.token('alice');
      const ticket = await requestUpload(stack, token, { name: 'retried.bin', size: 100 });
      const alice = ticketClient(ticket);
      const started: string[] = [];
      for (let i = 0; i < 15; i++) started.push(await alice.start());
      await vi.waitFor(async () => expect((await openUploads(stack, ticket.target.key)).sort()).toEqual(started.slice(-3).sort()), {
        timeout: WAIT_TIMEOUT_MS,
        interval: 100,
      });
    });

    it('aborts an upload whose staged parts exceed the declared size, and keeps one within it', async () => {
      const token = await stack.token('alice');
      const ticket = await requestUpload(stack, token, { name: 'small.bin', size: 1000 });
      const alice = ticketClient(ticket);
      const honest = await alice.start();
      await alice.stage(honest, 1, 600);
      const oversized = await alice.start();
      await alice.stage(oversized, 1, 600);
      await alice.stage(oversized, 2, 600);
      await vi.waitFor(async () => expect(await openUploads(stack, ticket.target.key)).toEqual([honest]), { timeout: WAIT_TIMEOUT_MS, interval: 100 });
    });
  });
});
