import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCleanup } from '../../../src/cleanup/cleanup.js';
import { connectDatabase } from '../../../src/db/index.js';
import { createFileEvents } from '../../../src/files/events.js';
import { vaultKeyOf } from '../../../src/files/model.js';
import { createStatusChanges } from '../../../src/files/status-changes.js';
import { cleanupAfterEach } from '../../helpers/cleanup.js';
import { silentLogger } from '../../helpers/databases.js';
import { startStack } from '../../helpers/stack.js';
import { newFile } from '../../unit/files/repository-contract.js';

/**
 * Issue 9's leftover: a promotion that lost a race and crashed before
 * removing its late vault copy leaves an object for a FAILED file. The
 * cleanup job removes those, following FAILED records only.
 */
describe('cleanup of vault objects whose file FAILED', () => {
  const cleanup = cleanupAfterEach();

  it('deletes the vault object of a file that failed recently, and never one of an AVAILABLE file or of no record at all', async () => {
    const stack = await startStack({ LFS_PROMOTION_ENABLED: 'false' });
    cleanup(() => stack.stop());
    const database = await connectDatabase({ sqlitePath: join(stack.dataDir, 'lfs.sqlite') }, silentLogger);
    cleanup(() => database.repository.close());
    const { repository } = database;
    const s3 = stack.rootS3();
    const vaultKeyArn = stack.app.localAws!.ensureKey('alias/lfs-vault').arn;
    const vault = { name: 'lfs-vault', kmsKeyArn: vaultKeyArn };
    const putVaultObject = (id: string) =>
      s3.send(new PutObjectCommand({ Bucket: vault.name, Key: vaultKeyOf(id), Body: 'copy', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: vaultKeyArn }));
    const exists = (id: string) =>
      s3.send(new HeadObjectCommand({ Bucket: vault.name, Key: vaultKeyOf(id) })).then(
        () => true,
        () => false,
      );

    const now = new Date();
    const failed = await repository.create(newFile({ createdAt: now }));
    await repository.transition(failed.id, 'AWAITING_UPLOAD', 'PROMOTING', {}, now);
    await repository.transition(failed.id, 'PROMOTING', 'FAILED', { failureReason: 'lost a race' }, now);
    const available = await repository.create(newFile({ createdAt: now }));
    await repository.transition(available.id, 'AWAITING_UPLOAD', 'PROMOTING', {}, now);
    await repository.transition(available.id, 'PROMOTING', 'AVAILABLE', { availableAt: now }, now);
    // Failed long ago: past the look-back of the first pass, so not revisited on every start.
    const longAgo = new Date(now.getTime() - 3 * 86400_000);
    const old = await repository.create(newFile({ createdAt: longAgo }));
    await repository.transition(old.id, 'AWAITING_UPLOAD', 'FAILED', { failureReason: 'x' }, longAgo);
    // No record: as after restoring an older database. Its object must stay.
    const unknown = randomUUID();
    for (const id of [failed.id, available.id, old.id, unknown]) await putVaultObject(id);

    const job = createCleanup({
      s3,
      repository,
      statusChanges: createStatusChanges({ repository, events: createFileEvents([]) }),
      dock: { name: 'lfs-dock', kmsKeyArn: stack.app.localAws!.ensureKey('alias/lfs-dock').arn },
      vault,
      staleUploadSeconds: 7 * 86400,
      maxUploadsPerFile: 3,
      logger: silentLogger,
    });
    const report = await job.run(new Date(now.getTime() + 1000));
    expect(report.deletedFailedVaultObjects).toBe(1);
    expect(await exists(failed.id)).toBe(false);
    expect(await exists(available.id)).toBe(true);
    expect(await exists(unknown)).toBe(true);
    expect(await exists(old.id)).toBe(true);

    // The next pass looks only at what failed since (less a margin): the same file again, nothing older.
    const later = await repository.create(newFile({ createdAt: now }));
    await repository.transition(later.id, 'AWAITING_UPLOAD', 'FAILED', { failureReason: 'x' }, new Date(now.getTime() + 2000));
    await putVaultObject(later.id);
    expect((await job.run(new Date(now.getTime() + 3000))).deletedFailedVaultObjects).toBe(2);
    expect(await exists(later.id)).toBe(false);
  });
});
