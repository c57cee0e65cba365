import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomStream, sha256Of } from '../helpers/data.js';
import { FILE, FILE_AVAILABLE, REQUEST_UPLOAD, type Ticket } from '../helpers/operations.js';
import { WAIT_TIMEOUT_MS } from '../helpers/waits.js';
import { firstEvent, firstSseEvent, startStack, within, type Stack } from '../helpers/stack.js';
import { uploadWithTicket } from '../helpers/uploader.js';

const MiB = 1024 * 1024;

describe('the whole upload flow on the embedded default', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack?.stop());

  it('uploads 64 MiB straight to the dock and announces it over graphql-ws and SSE once it is in the vault', async () => {
    const alice = await stack.token('alice');
    const bob = await stack.token('bob');
    const size = 64 * MiB;

    const requested = await stack.graphql<{ requestUpload: Ticket }>(alice, REQUEST_UPLOAD, {
      input: { name: 'holiday video.mp4', size, contentType: 'video/mp4', metadata: { album: 'summer' } },
    });
    expect(requested.errors).toBeUndefined();
    const ticket = requested.data!.requestUpload;
    expect(ticket.file.status).toBe('AWAITING_UPLOAD');
    expect(ticket.target.key).toBe(`uploads/${ticket.file.id}`);

    const viaWs = firstEvent(stack.ws(alice), FILE_AVAILABLE, { fileId: ticket.file.id });
    const viaSse = firstSseEvent(`${stack.app.url}/graphql`, alice, FILE_AVAILABLE, { fileId: ticket.file.id });
    let bobSawIt = false;
    const bobWatch = firstEvent(stack.ws(bob), FILE_AVAILABLE, { fileId: ticket.file.id });
    bobWatch.promise.then(() => (bobSawIt = true), () => {});
    await viaSse.ready;

    const data = randomStream(size);
    await uploadWithTicket(ticket, data.stream, { partSize: 8 * MiB, queueSize: 4 });

    const [wsEvent, sseEvent] = await within(Promise.all([viaWs.promise, viaSse.promise]), WAIT_TIMEOUT_MS, 'fileAvailable');
    expect(wsEvent.fileAvailable).toMatchObject({ id: ticket.file.id, status: 'AVAILABLE', size, name: 'holiday video.mp4' });
    expect(sseEvent.fileAvailable).toMatchObject({ id: ticket.file.id, status: 'AVAILABLE' });

    const found = await stack.graphql(alice, FILE, { id: ticket.file.id });
    expect(found.data.file).toMatchObject({ status: 'AVAILABLE', metadata: { album: 'summer' } });
    expect(found.data.file.availableAt).toBeTruthy();

    const root = stack.rootS3();
    const vault = await root.send(new GetObjectCommand({ Bucket: stack.app.config.storage.vaultBucket, Key: `files/${ticket.file.id}` }));
    expect(vault.ContentLength).toBe(size);
    expect(vault.ContentType).toBe('video/mp4');
    expect(vault.ContentDisposition).toBe("attachment; filename*=UTF-8''holiday%20video.mp4");
    expect(await sha256Of(vault.Body as AsyncIterable<Uint8Array>)).toBe(data.sha256());
    await expect(root.send(new HeadObjectCommand({ Bucket: stack.app.config.storage.dockBucket, Key: ticket.target.key }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 404 },
    });

    // Another user sees nothing of it.
    const asBob = await stack.graphql(bob, FILE, { id: ticket.file.id });
    expect(asBob.errors).toBeUndefined();
    expect(asBob.data.file).toBeNull();
    bobWatch.cancel();
    expect(bobSawIt).toBe(false);
  });
});
