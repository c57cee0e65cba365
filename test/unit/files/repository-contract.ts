import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileStatuses, type FileStatus, type NewFile } from '../../../src/files/model.js';
import { InvalidCursorError, QuotaExceededError, type FileRepository } from '../../../src/files/repository.js';
import { canTransition } from '../../../src/files/states.js';

export interface RepositoryUnderTest {
  repository: FileRepository;
  /** Closes the repository and removes whatever the factory created. */
  dispose(): Promise<void>;
}

const TiB = 1024 ** 4;

/** A valid NewFile; each call gets a fresh id. */
export function newFile(overrides: Partial<NewFile> = {}): NewFile {
  return {
    id: randomUUID(),
    owner: 'alice',
    tenant: 'acme',
    name: 'report.pdf',
    size: 1234,
    contentType: 'application/pdf',
    metadata: { project: 'x', nested: { n: 1 } },
    checksum: null,
    createdAt: new Date('2026-01-01T00:00:00.000Z'),
    uploadDeadline: new Date('2026-01-02T00:00:00.000Z'),
    ...overrides,
  };
}

/**
 * The behaviour every FileRepository adapter must have (SQLite and
 * PostgreSQL): call it from each adapter's test file with a factory
 * that opens a fresh, empty repository.
 */
export function describeFileRepositoryContract(name: string, factory: () => Promise<RepositoryUnderTest>): void {
  describe(`FileRepository contract: ${name}`, () => {
    let subject: RepositoryUnderTest;
    let repo: FileRepository;
    beforeEach(async () => {
      subject = await factory();
      repo = subject.repository;
    });
    afterEach(async () => {
      await subject.dispose();
    });

    it('creates a record in AWAITING_UPLOAD and reads it back unchanged', async () => {
      const input = newFile({ size: 5 * TiB, checksum: { algorithm: 'CRC64NVME', value: 'AAAAAAAAAAA=' } });
      const created = await repo.create(input);
      expect(created).toMatchObject({ ...input, status: 'AWAITING_UPLOAD', failureReason: null, uploadedAt: null, availableAt: null });
      expect(created.updatedAt).toEqual(input.createdAt);
      expect(await repo.get(input.id)).toEqual(created);
      expect((await repo.get(input.id))!.size).toBe(5 * TiB);
    });

    it('declares a checksum once, only while AWAITING_UPLOAD', async () => {
      const { id } = await repo.create(newFile());
      const now = new Date('2026-01-01T01:00:00.000Z');
      const checksum = { algorithm: 'CRC64NVME', value: 'AAAAAAAAAAE=' } as const;
      expect(await repo.declareChecksum(id, checksum, now)).toMatchObject({ checksum, updatedAt: now });
      expect((await repo.get(id))!.checksum).toEqual(checksum);
      // A second declaration, even of the same value, changes nothing.
      expect(await repo.declareChecksum(id, { algorithm: 'SHA256', value: 'x' })).toBeUndefined();
      expect((await repo.get(id))!.checksum).toEqual(checksum);
      const late = await repo.create(newFile());
      await repo.transition(late.id, 'AWAITING_UPLOAD', 'PROMOTING');
      expect(await repo.declareChecksum(late.id, checksum)).toBeUndefined();
      expect((await repo.get(late.id))!.checksum).toBeNull();
      expect(await repo.declareChecksum('nope', checksum)).toBeUndefined();
    });

    it('returns undefined for an absent id', async () => {
      expect(await repo.get('nope')).toBeUndefined();
    });

    it('rejects a duplicate id', async () => {
      const input = newFile();
      await repo.create(input);
      await expect(repo.create(input)).rejects.toThrow();
    });

    it('transitions guarded by the expected state and applies the patch', async () => {
      const { id } = await repo.create(newFile());
      const now = new Date('2026-01-01T01:00:00.000Z');
      const promoting = await repo.transition(id, 'AWAITING_UPLOAD', 'PROMOTING', { uploadedAt: now }, now);
      expect(promoting).toMatchObject({ status: 'PROMOTING', uploadedAt: now, updatedAt: now });
      // A duplicate event finds the row moved on.
      expect(await repo.transition(id, 'AWAITING_UPLOAD', 'PROMOTING')).toBeUndefined();
      const later = new Date('2026-01-01T02:00:00.000Z');
      const available = await repo.transition(id, ['PROMOTING'], 'AVAILABLE', { availableAt: later }, later);
      expect(available).toMatchObject({ status: 'AVAILABLE', uploadedAt: now, availableAt: later });
      expect(await repo.get(id)).toEqual(available);
    });

    it('stores a failure reason and can clear a patched field with null', async () => {
      const { id } = await repo.create(newFile());
      const failed = await repo.transition(id, 'AWAITING_UPLOAD', 'FAILED', { failureReason: 'size mismatch', uploadedAt: null });
      expect(failed).toMatchObject({ status: 'FAILED', failureReason: 'size mismatch', uploadedAt: null });
    });

    it('accepts several expected states and moves from whichever the row is in', async () => {
      const waiting = await repo.create(newFile());
      const promoting = await repo.create(newFile());
      await repo.transition(promoting.id, 'AWAITING_UPLOAD', 'PROMOTING');
      for (const { id } of [waiting, promoting]) {
        expect(await repo.transition(id, ['AWAITING_UPLOAD', 'PROMOTING'], 'FAILED', { failureReason: 'x' })).toMatchObject({ status: 'FAILED' });
      }
    });

    it('rejects a list of expected states when any of them cannot reach the target', async () => {
      const { id } = await repo.create(newFile());
      await expect(repo.transition(id, ['AWAITING_UPLOAD', 'PROMOTING'], 'CANCELLED')).rejects.toThrow(/not allowed/);
      expect((await repo.get(id))!.status).toBe('AWAITING_UPLOAD');
    });

    it('returns undefined when the file does not exist', async () => {
      expect(await repo.transition('missing', 'AWAITING_UPLOAD', 'CANCELLED')).toBeUndefined();
    });

    const forbidden = fileStatuses.flatMap((from) =>
      fileStatuses.filter((to) => !canTransition(from, to)).map((to) => [from, to] as [FileStatus, FileStatus]),
    );
    it.each(forbidden)('rejects the forbidden transition %s -> %s and changes nothing', async (from, to) => {
      const { id } = await repo.create(newFile());
      await expect(repo.transition(id, from, to)).rejects.toThrow(/not allowed/);
      expect((await repo.get(id))!.status).toBe('AWAITING_UPLOAD');
    });

    it('only one of concurrent transitions from the same state wins', async () => {
      const { id } = await repo.create(newFile());
      const results = await Promise.all([
        repo.transition(id, 'AWAITING_UPLOAD', 'PROMOTING'),
        repo.transition(id, 'AWAITING_UPLOAD', 'CANCELLED'),
        repo.transition(id, 'AWAITING_UPLOAD', 'EXPIRED'),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    describe('list', () => {
      const base = Date.parse('2026-03-01T00:00:00.000Z');
      async function seed() {
        // Two files share a timestamp so the id tie-break is exercised.
        const specs = [
          { id: 'f1', at: 1 },
          { id: 'f2', at: 2 },
          { id: 'f3', at: 3 },
          { id: 'f4a', at: 4 },
          { id: 'f4b', at: 4 },
          { id: 'f5', at: 5 },
        ];
        for (const spec of specs) await repo.create(newFile({ id: spec.id, createdAt: new Date(base + spec.at * 1000) }));
        await repo.create(newFile({ id: 'bob1', owner: 'bob', createdAt: new Date(base + 10_000) }));
        await repo.create(newFile({ id: 'other-tenant', tenant: 'globex', createdAt: new Date(base + 10_000) }));
        await repo.transition('f2', 'AWAITING_UPLOAD', 'CANCELLED');
        await repo.transition('f4a', 'AWAITING_UPLOAD', 'CANCELLED');
      }

      it('pages newest first (createdAt desc, id desc) with opaque cursors', async () => {
        await seed();
        const seen: string[] = [];
        let after: string | undefined;
        const hasNext: boolean[] = [];
        do {
          const page = await repo.list({ tenant: 'acme', owner: 'alice', first: 2, after });
          seen.push(...page.items.map((item) => item.file.id));
          hasNext.push(page.hasNextPage);
          after = page.hasNextPage ? page.items.at(-1)!.cursor : undefined;
        } while (after);
        expect(seen).toEqual(['f5', 'f4b', 'f4a', 'f3', 'f2', 'f1']);
        expect(hasNext).toEqual([true, true, false]);
      });

      it('filters by status and scopes to tenant and owner', async () => {
        await seed();
        const cancelled = await repo.list({ tenant: 'acme', owner: 'alice', status: 'CANCELLED', first: 10 });
        expect(cancelled.items.map((item) => item.file.id)).toEqual(['f4a', 'f2']);
        expect(cancelled.hasNextPage).toBe(false);
        const tenant = await repo.list({ tenant: 'acme', first: 100 });
        expect(tenant.items.map((item) => item.file.id)).toEqual(['bob1', 'f5', 'f4b', 'f4a', 'f3', 'f2', 'f1']);
        const empty = await repo.list({ tenant: 'nobody', first: 10 });
        expect(empty).toEqual({ items: [], hasNextPage: false });
      });

      it('continues after a cursor with a status filter', async () => {
        await seed();
        const first = await repo.list({ tenant: 'acme', owner: 'alice', status: 'AWAITING_UPLOAD', first: 2 });
        expect(first.items.map((item) => item.file.id)).toEqual(['f5', 'f4b']);
        const second = await repo.list({ tenant: 'acme', owner: 'alice', status: 'AWAITING_UPLOAD', first: 2, after: first.items[1].cursor });
        expect(second.items.map((item) => item.file.id)).toEqual(['f3', 'f1']);
        expect(second.hasNextPage).toBe(false);
      });

      it.each(['', 'garbage!', 'bm90IGpzb24', Buffer.from('[1]').toString('base64url'), Buffer.from('["x","y"]').toString('base64url')])(
        'rejects the junk cursor %j with InvalidCursorError',
        async (cursor) => {
          await expect(repo.list({ tenant: 'acme', first: 1, after: cursor })).rejects.toBeInstanceOf(InvalidCursorError);
        },
      );
    });

    it('lists AWAITING_UPLOAD files past their deadline, oldest deadline first', async () => {
      const now = new Date('2026-05-01T00:00:00.000Z');
      await repo.create(newFile({ id: 'late2', uploadDeadline: new Date(now.getTime() - 1000) }));
      await repo.create(newFile({ id: 'late1', uploadDeadline: new Date(now.getTime() - 2000) }));
      await repo.create(newFile({ id: 'due-now', uploadDeadline: now }));
      await repo.create(newFile({ id: 'future', uploadDeadline: new Date(now.getTime() + 1000) }));
      await repo.create(newFile({ id: 'moved-on', uploadDeadline: new Date(now.getTime() - 5000) }));
      await repo.transition('moved-on', 'AWAITING_UPLOAD', 'PROMOTING');
      expect((await repo.listExpired(now, 10)).map((file) => file.id)).toEqual(['late1', 'late2', 'due-now']);
      expect((await repo.listExpired(now, 1)).map((file) => file.id)).toEqual(['late1']);
    });

    it('commits an announcement with each move into AVAILABLE or FAILED, and none for a guarded no-op', async () => {
      const ok = await repo.create(newFile());
      const bad = await repo.create(newFile());
      await repo.transition(ok.id, 'AWAITING_UPLOAD', 'PROMOTING');
      expect(await repo.claimAnnouncements(10, 1000)).toEqual([]);
      await repo.transition(ok.id, 'PROMOTING', 'AVAILABLE', { availableAt: new Date() });
      await repo.transition(ok.id, 'PROMOTING', 'AVAILABLE', { availableAt: new Date() });
      await repo.transition(bad.id, 'AWAITING_UPLOAD', 'FAILED', { failureReason: 'size mismatch' });
      const now = new Date();
      const claimed = await repo.claimAnnouncements(10, 1000, now);
      expect(claimed.map(({ fileId, status }) => ({ fileId, status }))).toEqual([
        { fileId: ok.id, status: 'AVAILABLE' },
        { fileId: bad.id, status: 'FAILED' },
      ]);
      await repo.markAnnounced(claimed[0].id);
      expect(await repo.claimAnnouncements(0, 1000, now)).toEqual([]);
      // Claimed: nobody else gets it until the claim runs out unsent.
      expect(await repo.claimAnnouncements(10, 1000, new Date(now.getTime() + 999))).toEqual([]);
      expect((await repo.claimAnnouncements(10, 1000, new Date(now.getTime() + 1001))).map((a) => a.fileId)).toEqual([bad.id]);
    });

    it('hands each announcement to one of concurrent claimers', async () => {
      for (let i = 0; i < 20; i++) {
        const { id } = await repo.create(newFile());
        await repo.transition(id, 'AWAITING_UPLOAD', 'FAILED', { failureReason: 'x' });
      }
      const claims = await Promise.all([1, 2, 3, 4].map(() => repo.claimAnnouncements(7, 60_000)));
      const ids = claims.flat().map((a) => a.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBeLessThanOrEqual(20);
      const rest = await repo.claimAnnouncements(100, 60_000);
      expect(ids.length + rest.length).toBe(20);
    });

    it('creates within a quota atomically: concurrent requests never overshoot it', async () => {
      const quota = { openUploads: 3, bytesInFlight: 10_000 };
      const results = await Promise.allSettled(Array.from({ length: 10 }, () => repo.create(newFile({ size: 100 }), quota)));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
      const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason);
      expect(refused.every((error) => error instanceof QuotaExceededError && error.quota === 'openUploads')).toBe(true);
      expect(await repo.openUploads('acme', 'alice')).toEqual({ count: 3, bytes: 300 });
      // Other owners have quotas of their own.
      await expect(repo.create(newFile({ owner: 'bob' }), quota)).resolves.toMatchObject({ owner: 'bob' });
    });

    it('refuses a file that would put the bytes in flight over the quota, naming what is open', async () => {
      const quota = { openUploads: 10, bytesInFlight: 1000 };
      await repo.create(newFile({ size: 600 }), quota);
      const refused = await repo.create(newFile({ size: 401 }), quota).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(QuotaExceededError);
      expect(refused).toMatchObject({ quota: 'bytesInFlight', limit: 1000, open: { count: 1, bytes: 600 } });
      await expect(repo.create(newFile({ size: 400 }), quota)).resolves.toBeDefined();
    });

    it('lists files changed since a time, oldest change first, in pages, FAILED ones alone on request', async () => {
      const at = (s: number) => new Date(Date.parse('2026-07-01T00:00:00.000Z') + s * 1000);
      const old = await repo.create(newFile({ createdAt: at(0) }));
      const a = await repo.create(newFile({ id: 'a', createdAt: at(10) }));
      const b = await repo.create(newFile({ id: 'b', createdAt: at(10) }));
      const c = await repo.create(newFile({ id: 'c', createdAt: at(5) }));
      await repo.transition(c.id, 'AWAITING_UPLOAD', 'FAILED', { failureReason: 'x' }, at(20));
      await repo.transition(old.id, 'AWAITING_UPLOAD', 'FAILED', { failureReason: 'x' }, at(1));
      const ids = (files: Array<{ id: string }>) => files.map((file) => file.id);
      expect(ids(await repo.listChanged({ since: at(10), limit: 10 }))).toEqual([a.id, b.id, c.id]);
      const first = await repo.listChanged({ since: at(10), limit: 2 });
      expect(ids(first)).toEqual(['a', 'b']);
      const last = first.at(-1)!;
      expect(ids(await repo.listChanged({ since: at(10), limit: 2, after: { updatedAt: last.updatedAt, id: last.id } }))).toEqual(['c']);
      expect(ids(await repo.listChanged({ since: at(0), status: 'FAILED', limit: 10 }))).toEqual([old.id, c.id]);
      expect(ids(await repo.listChanged({ since: at(2), status: 'FAILED', limit: 10 }))).toEqual([c.id]);
    });

    it("counts one owner's AWAITING_UPLOAD files and sums their sizes", async () => {
      expect(await repo.openUploads('acme', 'alice')).toEqual({ count: 0, bytes: 0 });
      await repo.create(newFile({ size: 3 * TiB }));
      await repo.create(newFile({ size: 2 * TiB }));
      const moved = await repo.create(newFile({ size: 7 }));
      await repo.transition(moved.id, 'AWAITING_UPLOAD', 'CANCELLED');
      await repo.create(newFile({ owner: 'bob', size: 11 }));
      await repo.create(newFile({ tenant: 'other', size: 13 }));
      expect(await repo.openUploads('acme', 'alice')).toEqual({ count: 2, bytes: 5 * TiB });
      expect(await repo.openUploads('acme', 'bob')).toEqual({ count: 1, bytes: 11 });
      expect(await repo.openUploads('other', 'alice')).toEqual({ count: 1, bytes: 13 });
    });

    it('records copy progress only while PROMOTING', async () => {
      const file = await repo.create(newFile({ size: 100 }));
      expect(await repo.recordProgress(file.id, 10)).toBeUndefined();
      await repo.transition(file.id, 'AWAITING_UPLOAD', 'PROMOTING');
      expect((await repo.recordProgress(file.id, 40))?.promotedBytes).toBe(40);
      expect((await repo.get(file.id))?.promotedBytes).toBe(40);
      await repo.transition(file.id, 'PROMOTING', 'AVAILABLE');
      expect(await repo.recordProgress(file.id, 100)).toBeUndefined();
    });

    it('answers ping while open and closes idempotently', async () => {
      expect(await repo.ping()).toBe(true);
      await repo.close();
      expect(await repo.ping()).toBe(false);
      await repo.close();
    });
  });
}
