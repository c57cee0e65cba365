import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileEvents } from '../../../src/files/events.js';
import type { FileEvent } from '../../../src/files/model.js';
import type { FileRepository } from '../../../src/files/repository.js';
import { createStatusChanges, type StatusChanges } from '../../../src/files/status-changes.js';
import { openTestDatabase } from '../../helpers/databases.js';

describe('status changes', () => {
  let repository: FileRepository;
  let statusChanges: StatusChanges;
  let heard: Array<[string, FileEvent['type'], string]>;

  beforeEach(async () => {
    repository = (await openTestDatabase('sqlite')).repository;
    heard = [];
    const subscriber = (name: string) => (event: FileEvent) => void heard.push([name, event.type, event.file.status]);
    statusChanges = createStatusChanges({ repository, events: createFileEvents([subscriber('subscriptions'), subscriber('relay')]) });
  });
  afterEach(() => repository.close());

  const newFile = () =>
    repository.create({
      id: randomUUID(),
      owner: 'alice',
      tenant: 'default',
      name: 'a.bin',
      size: 100,
      contentType: 'application/octet-stream',
      metadata: {},
      checksum: null,
      createdAt: new Date(),
      uploadDeadline: new Date(Date.now() + 3600_000),
    });

  it('publishes each change to every subscriber, in order, once committed', async () => {
    const file = await newFile();
    await statusChanges.transition(file.id, 'AWAITING_UPLOAD', 'PROMOTING');
    await statusChanges.progress(file.id, 50);
    const available = await statusChanges.transition(file.id, 'PROMOTING', 'AVAILABLE', { availableAt: new Date() });
    expect(available?.status).toBe('AVAILABLE');
    expect(heard).toEqual([
      ['subscriptions', 'STATUS_CHANGED', 'PROMOTING'],
      ['relay', 'STATUS_CHANGED', 'PROMOTING'],
      ['subscriptions', 'PROGRESS', 'PROMOTING'],
      ['relay', 'PROGRESS', 'PROMOTING'],
      ['subscriptions', 'AVAILABLE', 'AVAILABLE'],
      ['relay', 'AVAILABLE', 'AVAILABLE'],
    ]);
    // The announcement was committed with the status, for the relay to send.
    expect((await repository.claimAnnouncements(10, 1000)).map((announcement) => announcement.status)).toEqual(['AVAILABLE']);
  });

  it('publishes nothing when the file was not where the change expected it', async () => {
    const file = await newFile();
    expect(await statusChanges.transition(file.id, 'PROMOTING', 'AVAILABLE')).toBeUndefined();
    await statusChanges.progress(file.id, 10);
    expect(heard).toEqual([]);
  });
});
