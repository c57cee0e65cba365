import { spawn } from 'node:child_process';
import { readdir, readlink } from 'node:fs/promises';
import { connect, createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { cleanupAfterEach } from '../helpers/cleanup.js';
import { REQUEST_UPLOAD } from '../helpers/operations.js';
import { START_TIMEOUT_MS } from '../helpers/waits.js';
import { startStack, testEnv } from '../helpers/stack.js';
import { tempDirs } from '../helpers/temp-dirs.js';

/** A port something else already listens on. */
async function takenPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, server };
}

/** A port nothing listens on right now. */
async function freePort(): Promise<number> {
  const { port, server } = await takenPort();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Whether something accepts connections on the port. */
const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

/** Files under `dir` this process holds open (Linux: /proc/self/fd). */
async function openFilesUnder(dir: string): Promise<string[]> {
  const targets = await Promise.all((await readdir('/proc/self/fd')).map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')));
  return targets.filter((target) => target.startsWith(dir));
}

describe('starting the app', () => {
  const cleanup = cleanupAfterEach();
  const tempDir = tempDirs('lfs-start-');

  it('runs with static credentials from LFS_AWS_ACCESS_KEY_ID/SECRET (the settings object is frozen; the SDK gets its own copy)', async () => {
    const stack = await startStack({ LFS_AWS_ACCESS_KEY_ID: 'AKIASTATICEXAMPLE01', LFS_AWS_SECRET_ACCESS_KEY: 'static-secret-key-for-the-embedded-endpoint' });
    cleanup(() => stack.stop());
    expect(stack.app.localAws!.rootCredentials.accessKeyId).toBe('AKIASTATICEXAMPLE01');
    const { data, errors } = await stack.graphql(await stack.token('alice'), REQUEST_UPLOAD, { input: { name: 'a.bin', size: 1 } });
    expect(errors).toBeUndefined();
    expect(data.requestUpload.file.status).toBe('AWAITING_UPLOAD');
  });

  it('closes what it had opened when a later step fails: the embedded endpoint and SQLite', async () => {
    const dir = await tempDir();
    const taken = await takenPort();
    cleanup(() => new Promise((resolve) => taken.server.close(resolve)));
    const endpointPort = await freePort();
    const app = createApp(loadConfig(testEnv(dir, { LFS_PORT: String(taken.port), LFS_LOCAL_AWS_PORT: String(endpointPort) })));
    cleanup(() => app.stop());

    await expect(app.start()).rejects.toMatchObject({ code: 'EADDRINUSE' });
    // The endpoint had started (the buckets were bootstrapped through it) and is closed again.
    expect(app.localAws).toBeDefined();
    expect(await listening(endpointPort)).toBe(false);
    expect(await openFilesUnder(dir)).toEqual([]);
  });

  it('leaves nothing running after a failed start, so the process can exit by itself', async () => {
    const dir = await tempDir();
    const taken = await takenPort();
    cleanup(() => new Promise((resolve) => taken.server.close(resolve)));
    const source = (path: string) => JSON.stringify(fileURLToPath(new URL(`../../src/${path}`, import.meta.url)));
    const script = `
      import { createApp } from ${source('app.ts')};
      import { loadConfig } from ${source('config.ts')};
      await createApp(loadConfig(process.env)).start().catch((error) => console.log('start failed:', error.code));
    `;
    const child = spawn(process.execPath, ['--conditions=@lfs/source', '--import', 'tsx', '--input-type=module', '-e', script], {
      env: { ...process.env, ...testEnv(dir, { LFS_PORT: String(taken.port) }) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), START_TIMEOUT_MS);
    cleanup(async () => clearTimeout(timer));
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (...exit) => resolve(exit)));
    expect({ code, signal, output }).toMatchObject({ code: 0, signal: null, output: expect.stringContaining('start failed: EADDRINUSE') });
  });
});
