import { createLocalAws, type LocalAws } from '@lfs/local-aws';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomStream } from '../helpers/data.js';
import { FILE, REQUEST_UPLOAD, type Ticket } from '../helpers/operations.js';
import { lfsFromSource, until } from '../helpers/process.js';
import { externalEnv, provisionS3AndSqs } from '../helpers/provisioned.js';
import { testEnv } from '../helpers/stack.js';
import { uploadWithTicket } from '../helpers/uploader.js';

const recordModules = fileURLToPath(new URL('../helpers/record-modules.mjs', import.meta.url));
const endpointPackage = fileURLToPath(new URL('../../packages/local-aws/', import.meta.url));

interface Served {
  /** Every module URL the LFS process resolved while it served. */
  modules: string[];
  /** The status a 1 MiB file reached once uploaded with its ticket. */
  status: string;
}

/**
 * Runs `lfs serve` as a child process that records the modules it resolves,
 * uploads one file through it, waits for it to be AVAILABLE and stops it.
 */
async function serveOneFile(dataDir: string, env: Record<string, string>): Promise<Served> {
  // Beside the data folder, which LFS creates itself.
  const log = `${dataDir}-modules.log`;
  const child = spawn(process.execPath, ['--import', recordModules, ...lfsFromSource, 'serve'], {
    env: { ...process.env, ...testEnv(dataDir, env), LFS_TEST_MODULE_LOG: log },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await until('LFS to be ready', async () => {
      if (child.exitCode !== null) throw new Error(`lfs exited before it was ready:\n${output}`);
      return /Development token[^\n]*\n\s*\S+/.test(output);
    });
    const graphqlUrl = /GraphQL:\s+(\S+)/.exec(output)![1];
    const token = /Development token[^\n]*\n\s*(\S+)/.exec(output)![1];
    const graphql = async (query: string, variables: Record<string, unknown>) => {
      const response = await fetch(graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as { data?: any; errors?: unknown };
    };
    const requested = await graphql(REQUEST_UPLOAD, { input: { name: 'one.bin', size: 1024 * 1024 } });
    if (!requested.data) throw new Error(`requestUpload failed: ${JSON.stringify(requested.errors)}`);
    const ticket = requested.data.requestUpload as Ticket;
    await uploadWithTicket(ticket, randomStream(1024 * 1024).stream);
    let status = '';
    await until('the file to be promoted', async () => {
      status = (await graphql(FILE, { id: ticket.file.id })).data.file.status;
      return status === 'AVAILABLE' || status === 'FAILED';
    });
    child.kill('SIGTERM');
    await exited;
    return { modules: (await readFile(log, 'utf8')).split('\n').filter(Boolean), status };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
  }
}

const fromEndpointPackage = (modules: string[]) => modules.filter((url) => url.startsWith('file:') && fileURLToPath(url).startsWith(endpointPackage));

/**
 * LFS reaches the embedded endpoint's package only when it runs the endpoint:
 * configured with another endpoint (as on AWS), it loads none of it, nor
 * its worker threads. The endpoint here runs in the test process, not in
 * the LFS process whose modules are recorded.
 */
describe('LFS against an external AWS endpoint', () => {
  let parent: string;
  let endpoint: LocalAws;

  beforeAll(async () => {
    parent = await mkdtemp(join(tmpdir(), 'lfs-external-endpoint-'));
    endpoint = createLocalAws({ dataDir: join(parent, 'aws'), port: 0 });
    await endpoint.start();
  });
  afterAll(async () => {
    await endpoint?.stop();
    await rm(parent, { recursive: true, force: true });
  });

  it('promotes an upload without loading any module of @lfs/local-aws', async () => {
    // LFS only checks an endpoint it does not run: provisioning comes first.
    const { settings } = await provisionS3AndSqs(endpoint, { LFS_DOCK_KMS_KEY_ID: 'alias/external-dock', LFS_VAULT_KMS_KEY_ID: 'alias/external-vault' });
    const served = await serveOneFile(join(parent, 'external'), externalEnv(endpoint, settings));
    expect(served.status).toBe('AVAILABLE');
    // The recording works: it saw the module that imports the endpoint on demand.
    expect(served.modules.some((url) => url.endsWith('/src/aws/storage.ts'))).toBe(true);
    expect(fromEndpointPackage(served.modules)).toEqual([]);
  });

  it('loads the package when it embeds the endpoint (the same recording, the default configuration)', async () => {
    const served = await serveOneFile(join(parent, 'embedded'), {});
    expect(served.status).toBe('AVAILABLE');
    expect(fromEndpointPackage(served.modules)).toContain(`file://${endpointPackage}src/index.ts`);
  });
});
