import { GetObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanupAfterEach } from '../../helpers/cleanup.js';
import { failpointNames } from '../../../src/failpoints.js';
import { randomStream, sha256Of } from '../../helpers/data.js';
import { REQUEST_UPLOAD, type Ticket } from '../../helpers/operations.js';
import { processGraphql as graphql, spawnLfs, statusBecomes, until } from '../../helpers/process.js';
import { drain, eventsByFile, queueUrl, unsentAnnouncements } from '../../helpers/queues.js';
import { uploadWithTicket } from '../../helpers/uploader.js';

const MiB = 1024 * 1024;
// Small copy parts so a 12 MiB file takes the parallel UploadPartCopy path, one part at a time.
const env = {
  LFS_PROMOTION_VISIBILITY_SECONDS: '2',
  LFS_PROMOTION_RETRY_BASE_SECONDS: '0',
  LFS_SINGLE_COPY_LIMIT: String(5 * MiB),
  LFS_COPY_PART_SIZE: String(5 * MiB),
  LFS_COPY_CONCURRENCY: '1',
  LFS_CLEANUP_INTERVAL_SECONDS: '1',
};

describe('kill -9 during promotion, then restart', () => {
  const cleanup = { push: cleanupAfterEach() };

  it.each(failpointNames)('at %s: the file ends AVAILABLE, intact, announced once, nothing left behind', async (failpoint) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'lfs-crash-'));
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));

    const doomed = await spawnLfs(dataDir, { ...env, LFS_FAILPOINT: failpoint });
    cleanup.push(async () => doomed.child.kill('SIGKILL'));
    const requested = await graphql(doomed, REQUEST_UPLOAD, { input: { name: 'crash.bin', size: 12 * MiB } });
    const ticket: Ticket = requested.data.requestUpload;
    const data = randomStream(12 * MiB);
    await uploadWithTicket(ticket, data.stream, { partSize: 6 * MiB });
    expect(await doomed.exited).toBeNull(); // killed by its signal, not exited

    const revived = await spawnLfs(dataDir, env);
    cleanup.push(async () => {
      revived.child.kill('SIGTERM');
      await revived.exited;
    });
    await statusBecomes(revived, ticket.file.id, 'AVAILABLE');

    const credentials = revived.rootCredentials;
    const s3 = new S3Client({ endpoint: revived.awsUrl, region: 'us-east-1', forcePathStyle: true, credentials });
    const sqs = new SQSClient({ endpoint: revived.awsUrl, region: 'us-east-1', credentials });
    cleanup.push(async () => {
      s3.destroy();
      sqs.destroy();
    });
    const vault = await s3.send(new GetObjectCommand({ Bucket: 'lfs-vault', Key: `files/${ticket.file.id}` }));
    expect(await sha256Of(vault.Body as AsyncIterable<Uint8Array>)).toBe(data.sha256());
    expect((await s3.send(new ListObjectsV2Command({ Bucket: 'lfs-dock' }))).KeyCount).toBe(0);
    // The copy a crash interrupted is aborted by the cleanup job once the file is final.
    await until('the interrupted vault copy to be aborted', async () => !(await s3.send(new ListMultipartUploadsCommand({ Bucket: 'lfs-vault' }))).Uploads?.length);
    // The announcement may still be on its way right after the commit: once the outbox is empty, all are sent.
    await until('the announcement to be sent', async () => unsentAnnouncements(dataDir) === 0);
    const messages = await drain(sqs, await queueUrl(sqs, 'lfs-file-events'));
    expect(eventsByFile(messages)).toEqual({ [ticket.file.id]: ['FileAvailable'] });
  });
});
