import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FILE, REQUEST_UPLOAD, type Ticket } from '../helpers/operations.js';
import { processGraphql, spawnLfs, until, type LfsProcess } from '../helpers/process.js';
import { uploadWithTicket } from '../helpers/uploader.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Lists the buckets and reads the file-events queue with nothing but the
 * environment a shell set from the banner's lines: the SDK's default chain
 * finds the credentials, region and endpoint there. Prints the buckets and
 * the first message about `FILE_ID`.
 */
const RECEIVE = `
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { SQSClient, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
const { Buckets = [] } = await new S3Client({}).send(new ListBucketsCommand({}));
const sqs = new SQSClient({});
const deadline = Date.now() + 30_000;
while (Date.now() < deadline) {
  const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: process.env.QUEUE_URL, WaitTimeSeconds: 2, MaxNumberOfMessages: 10 }));
  const found = Messages.map((message) => JSON.parse(message.Body)).find((body) => body.fileId === process.env.FILE_ID);
  if (found) { console.log(JSON.stringify({ buckets: Buckets.map((bucket) => bucket.Name), message: found })); process.exit(0); }
}
console.error('no message for ' + process.env.FILE_ID);
process.exit(1);
`;

/** Runs `lines` in sh, then RECEIVE in Node, in an environment without any AWS setting of this process. */
function inShell(lines: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn('sh', ['-c', `${lines.join('\n')}\nexec "${process.execPath}" --input-type=module -e "$RECEIVE"`], {
    cwd: root,
    env: { PATH: process.env.PATH!, HOME: tmpdir(), RECEIVE, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

/** What `npm start` prints for a developer, checked by using it. */
describe('the ready message of `lfs serve`', () => {
  let dataDir: string;
  let lfs: LfsProcess;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'lfs-banner-'));
    lfs = await spawnLfs(dataDir);
  });
  afterAll(async () => {
    if (lfs && lfs.child.exitCode === null) {
      lfs.child.kill('SIGTERM');
      await lfs.exited;
    }
    await rm(dataDir, { recursive: true, force: true });
  });

  it('names GraphQL, the upload page, the endpoint, the queues and a token, and its credential lines work in a shell', async () => {
    const banner = lfs.output().slice(lfs.output().indexOf('LFS is ready'));
    const base = lfs.graphqlUrl.replace(/\/graphql$/, '');
    expect(banner).toMatch(/GraphQL: +http:\/\/127\.0\.0\.1:\d+\/graphql/);
    expect(banner).toContain(`Upload page:  ${base}/`);
    expect((await fetch(`${base}/`)).status).toBe(200);

    const exports = banner.split('\n').filter((line) => /^\s+export AWS_/.test(line)).map((line) => line.trim());
    const variables = Object.fromEntries(exports.map((line) => /^export (\w+)=(.*)$/.exec(line)!.slice(1)));
    expect(variables).toEqual({
      AWS_ENDPOINT_URL: lfs.awsUrl,
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: lfs.rootCredentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: lfs.rootCredentials.secretAccessKey,
    });
    const queue = (name: string) => new RegExp(`${name}:\\s+(\\S+)`).exec(banner)?.[1];
    expect(queue('dock events')).toBe(`${lfs.awsUrl}/000000000000/lfs-dock-events`);
    expect(queue('dead letters')).toBe(`${lfs.awsUrl}/000000000000/lfs-dock-events-dlq`);
    expect(queue('file events')).toBe(`${lfs.awsUrl}/000000000000/lfs-file-events`);

    // The printed token uploads a file; a back end with the printed lines reads its FileAvailable message.
    const ticket = (await processGraphql(lfs, REQUEST_UPLOAD, { input: { name: 'banner.txt', size: 6 } })).data.requestUpload as Ticket;
    await uploadWithTicket(ticket, Readable.from([Buffer.from('banner')]));
    await until('the file to be AVAILABLE', async () => (await processGraphql(lfs, FILE, { id: ticket.file.id })).data.file.status === 'AVAILABLE');
    const received = await inShell(exports, { QUEUE_URL: queue('file events')!, FILE_ID: ticket.file.id });
    expect(received.stderr).toBe('');
    expect(received.code).toBe(0);
    expect(JSON.parse(received.stdout)).toMatchObject({
      buckets: expect.arrayContaining(['lfs-dock', 'lfs-vault']),
      message: { type: 'FileAvailable', fileId: ticket.file.id, owner: 'dev', name: 'banner.txt' },
    });
  });
});
