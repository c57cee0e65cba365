import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasherFor, jsSha256, toBase64 } from '../../../src/client/checksums.js';
import type { CredentialHolder } from '../../../src/client/credentials.js';
import { createDock, type UploadTarget } from '../../../src/client/dock.js';
import { REQUEST_UPLOAD, type Ticket } from '../../helpers/operations.js';
import { startStack, type Stack } from '../../helpers/stack.js';

async function crc64(bytes: Uint8Array): Promise<string> {
  const hasher = hasherFor('CRC64NVME', jsSha256);
  hasher.update(bytes);
  return toBase64(await hasher.digest());
}

/**
 * A part request given up on (a pause, a timeout) can land after the part was
 * sent again; under SSE-KMS every part gets a new ETag, so the dock then holds
 * the part under an ETag the client never saw.
 */
describe("the client's dock calls, when a part lands twice", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  async function openDock() {
    const token = await stack.token('alice');
    const { data } = await stack.graphql(token, REQUEST_UPLOAD, { input: { name: 'twice.bin', size: 1024 } });
    const ticket = data.requestUpload as Ticket;
    const holder = { provide: async () => ({ ...ticket.credentials, expiration: new Date(ticket.credentials.expiration) }) } as unknown as CredentialHolder;
    const dock = createDock(ticket.target as UploadTarget, holder, new AbortController().signal, ticket.file.id);
    return { dock, uploadId: await dock.create('CRC64NVME', 'application/octet-stream') };
  }

  it('completes with the ETag the dock holds when its checksum is the one computed from the source', async () => {
    const { dock, uploadId } = await openDock();
    try {
      const body = randomBytes(1024);
      const checksum = await crc64(body);
      const first = await dock.uploadPart(uploadId, 1, body, 'CRC64NVME', checksum);
      const again = await dock.uploadPart(uploadId, 1, body, 'CRC64NVME', checksum);
      expect(again.ETag).not.toBe(first.ETag);
      await dock.complete(uploadId, [first], 'CRC64NVME', checksum, body.byteLength);
      expect(await dock.listParts(uploadId)).toBeUndefined();
    } finally {
      dock.destroy();
    }
  });

  it('refuses to complete when the part the dock holds has other bytes', async () => {
    const { dock, uploadId } = await openDock();
    try {
      const body = randomBytes(1024);
      const checksum = await crc64(body);
      const mine = await dock.uploadPart(uploadId, 1, body, 'CRC64NVME', checksum);
      const other = randomBytes(1024);
      await dock.uploadPart(uploadId, 1, other, 'CRC64NVME', await crc64(other));
      await expect(dock.complete(uploadId, [mine], 'CRC64NVME', checksum, body.byteLength)).rejects.toMatchObject({ code: 'STORAGE', message: expect.stringMatching(/InvalidPart/) });
    } finally {
      dock.destroy();
    }
  });
});
