import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomStream } from '../../helpers/data.js';
import { requestUpload } from '../../helpers/files.js';
import { FILE_EVENTS } from '../../helpers/operations.js';
import { until } from '../../helpers/process.js';
import { WAIT_TIMEOUT_MS } from '../../helpers/waits.js';
import { startStack, within, type Stack } from '../../helpers/stack.js';
import { uploadWithTicket } from '../../helpers/uploader.js';

const MiB = 1024 * 1024;
const CANCEL_UPLOAD = 'mutation ($fileId: ID!) { cancelUpload(fileId: $fileId) { id } }';

describe('progress of a long vault copy', () => {
  let stack: Stack;
  beforeAll(async () => {
    // 5 MiB copy parts, one at a time, so a 16 MiB file reports four steps.
    // Sentinel files (see below) are requested as fast as the subscription needs.
    stack = await startStack({
      LFS_SINGLE_COPY_LIMIT: String(5 * MiB),
      LFS_COPY_PART_SIZE: String(5 * MiB),
      LFS_COPY_CONCURRENCY: '1',
      LFS_RATE_UPLOADS_PER_MINUTE: '1000',
    });
  });
  afterAll(() => stack?.stop());

  it('shows on the File and in fileEvents as PROGRESS events, ending at 1 when AVAILABLE', async () => {
    const token = await stack.token('alice');
    const ticket = await requestUpload(stack, token, { name: 'long.bin', size: 16 * MiB });
    const events: Array<{ type: string; file: { id: string; status: string; promotionProgress: number | null } }> = [];
    const others = new Set<string>();
    // All of alice's files, so that the event of a file cancelled meanwhile shows the subscription live before the upload.
    const done = new Promise<void>((resolve, reject) => {
      stack.ws(token).subscribe<{ fileEvents: (typeof events)[number] }>(
        { query: FILE_EVENTS.replace('status owner', 'status promotionProgress owner'), variables: {} },
        {
          next: ({ data }) => {
            const event = data!.fileEvents;
            if (event.file.id !== ticket.file.id) return void others.add(event.file.id);
            events.push(event);
            if (event.type === 'AVAILABLE') resolve();
          },
          error: reject,
          complete: () => {},
        },
      );
    });
    await until(
      'the subscription to deliver an event',
      async () => {
        const sentinel = await requestUpload(stack, token, { name: 'sentinel.bin', size: 1 });
        expect((await stack.graphql(token, CANCEL_UPLOAD, { fileId: sentinel.file.id })).errors).toBeUndefined();
        return others.size > 0;
      },
      WAIT_TIMEOUT_MS,
      200,
    );
    await uploadWithTicket(ticket, randomStream(16 * MiB).stream, { partSize: 8 * MiB });
    await within(done, WAIT_TIMEOUT_MS, 'AVAILABLE');

    const progress = events.filter((event) => event.type === 'PROGRESS').map((event) => event.file.promotionProgress!);
    expect(progress.length).toBe(4);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.at(-1)).toBe(1);
    expect(events.at(-1)!.file).toMatchObject({ status: 'AVAILABLE', promotionProgress: 1 });
    expect(events[0]).toMatchObject({ type: 'STATUS_CHANGED', file: { status: 'PROMOTING', promotionProgress: 0 } });
  });
});
