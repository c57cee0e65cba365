import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { connectDatabase, type Database } from '../../../src/db/index.js';
import type { FileEvent } from '../../../src/files/model.js';
import { postgresDatabase, silentLogger } from '../../helpers/databases.js';
import { until } from '../../helpers/process.js';
import { newFile } from '../files/repository-contract.js';

/** Two instances of LFS on one PostgreSQL, as far as events go: one changes files, the other listens. */
describe('file events across instances (PostgreSQL LISTEN/NOTIFY)', () => {
  const opened: Database[] = [];
  const stops: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
    await Promise.all(opened.splice(0).map((database) => database.repository.close()));
  });

  async function twoInstances() {
    const url = await postgresDatabase();
    const writer = await connectDatabase({ url, sqlitePath: ':memory:' }, silentLogger);
    const reader = await connectDatabase({ url, sqlitePath: ':memory:' }, silentLogger);
    opened.push(writer, reader);
    const heard: FileEvent[] = [];
    const listener = reader.listen((event) => heard.push(event))!;
    await listener.start();
    stops.push(() => listener.stop());
    return { url, writer: writer.repository, heard };
  }

  it("delivers another instance's changes once each, in order, with the row as committed", async () => {
    const { writer, heard } = await twoInstances();
    const file = await writer.create(newFile());
    await writer.transition(file.id, 'AWAITING_UPLOAD', 'PROMOTING');
    await writer.recordProgress(file.id, 600);
    await writer.transition(file.id, 'PROMOTING', 'AVAILABLE', { availableAt: new Date() });
    // A guarded no-op notifies nothing.
    await writer.transition(file.id, 'PROMOTING', 'AVAILABLE');
    await until('three events', async () => heard.length >= 3, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(heard.map((event) => [event.type, event.file.id])).toEqual([
      ['STATUS_CHANGED', file.id],
      ['PROGRESS', file.id],
      ['AVAILABLE', file.id],
    ]);
    expect(heard[2].file).toMatchObject({ status: 'AVAILABLE', promotedBytes: 600 });
  });

  it('after losing its connection, reconnects and delivers what changed meanwhile, still once', async () => {
    const { url, writer, heard } = await twoInstances();
    const files = await Promise.all([1, 2, 3].map(() => writer.create(newFile())));
    await writer.transition(files[0].id, 'AWAITING_UPLOAD', 'CANCELLED');
    await until('the first event', async () => heard.length === 1, 10_000);

    // The server drops the listener's connection (a failover, a restart); changes go on meanwhile.
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN %' AND datname = current_database()`);
    await admin.end();
    await writer.transition(files[1].id, 'AWAITING_UPLOAD', 'PROMOTING');
    await writer.transition(files[1].id, 'PROMOTING', 'AVAILABLE', { availableAt: new Date() });
    await writer.transition(files[2].id, 'AWAITING_UPLOAD', 'EXPIRED');

    await until('the changes made while disconnected', async () =>
      heard.some((event) => event.file.id === files[1].id && event.file.status === 'AVAILABLE') && heard.some((event) => event.file.id === files[2].id),
    10_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const available = heard.filter((event) => event.file.id === files[1].id && event.type === 'AVAILABLE');
    expect(available).toHaveLength(1);
    expect(heard.filter((event) => event.file.id === files[2].id).map((event) => event.file.status)).toEqual(['EXPIRED']);
    expect(heard.filter((event) => event.file.id === files[0].id)).toHaveLength(1);
  });
});
