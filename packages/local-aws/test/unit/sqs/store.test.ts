import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openLocalDb, type LocalDb } from '../../../src/db.js';
import { createSqsStore } from '../../../src/sqs/store.js';

describe('SQS store', () => {
  let dir: string;
  let db: LocalDb;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lfs-sqs-store-'));
    db = openLocalDb(dir);
  });
  afterEach(async () => {
    db.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('counts a message that becomes visible in this very millisecond as the next one (a long poll must not sleep past it)', () => {
    const store = createSqsStore(db);
    store.insertQueue('q', {}, {}, 1000);
    const message = (visibleAt: number, id: string) => ({
      queue: 'q',
      message_id: id,
      body: 'x',
      body_md5: '9dd4e461268c8034f5c8564e155c67a6',
      attributes: null,
      attributes_md5: null,
      system_attributes: null,
      system_attributes_md5: null,
      sender_id: 'me',
      sent_at: 1000,
      visible_at: visibleAt,
    });
    store.insertMessage(message(5000, 'later'));
    store.insertMessage(message(2000, 'now'));
    expect(store.nextVisibleAt('q', 2000)).toBe(2000);
    expect(store.nextVisibleAt('q', 2001)).toBe(5000);
    expect(store.nextVisibleAt('q', 5001)).toBeUndefined();
  });
});
