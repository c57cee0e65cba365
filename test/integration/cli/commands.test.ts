import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProgram } from '../../../src/cli/index.js';
import { closedPort } from '../../helpers/client.js';
import { runLfs, startLfs, type CliRun } from '../../helpers/cli.js';
import { REQUEST_UPLOAD } from '../../helpers/operations.js';
import { startStack, type Stack } from '../../helpers/stack.js';
import { tempDirs } from '../../helpers/temp-dirs.js';

/** Every command `lfs --help` lists, and the program itself. */
const commands = ['', ...createProgram().commands.map((command) => command.name())];

/** Runs at most `limit` processes at once: two busy cores. */
async function inTurn<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    for (let index = next++; index < items.length; index = next++) results[index] = await work(items[index]);
  }));
  return results;
}

const tempDir = tempDirs('lfs-cli-');

const lines = (text: string) => text.split('\n').filter((line) => line.trim() !== '');

describe('lfs commands', () => {
  it('every command answers --help with its usage and exit 0', { timeout: 120_000 }, async () => {
    expect(commands).toEqual(expect.arrayContaining(['serve', 'token', 'migrate', 'local-aws', 'provision', 'upload', 'status', 'ls', 'download', 'cancel', 'events']));
    const runs = await inTurn(commands, 3, (name) => runLfs(name ? [name, '--help'] : ['--help']));
    runs.forEach((run: CliRun, index) => {
      const name = commands[index];
      expect({ name, code: run.code, stderr: run.stderr }).toEqual({ name, code: 0, stderr: '' });
      expect(run.stdout).toContain(`Usage: lfs ${name}`.trim());
    });
  });

  it('migrate brings a new file database to the current schema, then says there is nothing to do', async () => {
    const env = { LFS_DATA_DIR: await tempDir() };
    const first = await runLfs(['migrate'], { env });
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toMatch(/^Migrated the file database \(.*lfs\.sqlite\) from schema version 0 to \d+\.\n$/);
    const again = await runLfs(['migrate'], { env });
    expect(again).toMatchObject({ code: 0, stderr: '' });
    expect(again.stdout).toMatch(/is at schema version \d+; nothing to do\.\n$/);
  });

  it.each([
    { args: ['upload', '--bogus', 'file'], says: "unknown option '--bogus'", usage: 'Usage: lfs upload' },
    { args: ['upload'], says: "missing required argument 'file'", usage: 'Usage: lfs upload' },
    { args: ['upload', '--concurrency', 'many', 'file'], says: "option '--concurrency <n>' argument 'many' is invalid", usage: 'Usage: lfs upload' },
    { args: ['ls', '--status', 'DONE'], says: 'Allowed choices are', usage: 'Usage: lfs ls' },
    { args: ['nonsense'], says: "unknown command 'nonsense'", usage: 'Usage: lfs' },
  ])('a usage error ($args) exits 2 with the message and the usage', async ({ args, says, usage }) => {
    const run = await runLfs(args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(says);
    expect(run.stderr).toContain(usage);
  });

  describe('against a server', () => {
    let stack: Stack;
    beforeAll(async () => {
      // A fixed port, as `npm start` has: the CLI finds the server from the same settings.
      stack = await startStack({ LFS_PORT: String(await closedPort()) });
    });
    afterAll(async () => {
      await stack?.stop();
    });

    it('an unreachable server: exit 1 and one line naming it', async () => {
      const url = `http://127.0.0.1:${await closedPort()}`;
      const dir = await tempDir();
      await writeFile(join(dir, 'small.bin'), 'some bytes');
      for (const args of [['ls'], ['upload', join(dir, 'small.bin')], ['events'], ['download', 'some-id']]) {
        const run = await runLfs([...args, '--url', url, '--token', 'whatever'], { env: { LFS_CLIENT_STATE_FILE: join(dir, 'state.json') } });
        expect({ args, code: run.code }).toEqual({ args, code: 1 });
        expect(lines(run.stderr)).toEqual([expect.stringContaining(`LFS could not be reached at ${url}/graphql`)]);
        expect(run.stderr).toContain('ECONNREFUSED');
        expect(run.stderr).not.toMatch(/\n\s+at /);
      }
    });

    it('--debug adds the stack', async () => {
      const run = await runLfs(['ls', '--debug', '--url', `http://127.0.0.1:${await closedPort()}`, '--token', 'whatever']);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/\n\s+at /);
    });

    it('next to the server, with its settings alone (no --url, no --token), it finds it and signs a development token from the data folder', async () => {
      const env = { LFS_DATA_DIR: stack.dataDir, LFS_PORT: String(stack.app.config.port) };
      const run = await runLfs(['ls', '--json'], { env });
      expect(run).toMatchObject({ code: 0, stderr: '' });
      const missing = await runLfs(['status', 'no-such-file'], { env });
      expect(missing.code).toBe(1);
      expect(lines(missing.stderr)).toEqual(['lfs status: file no-such-file not found']);
    });

    it('events follows a file live until it ends; cancel ends it; status tells it', async () => {
      const token = await stack.token('dave');
      const { data } = await stack.graphql(token, REQUEST_UPLOAD, { input: { name: 'to-cancel.bin', size: 1024 } });
      const id: string = data.requestUpload.file.id;
      const connection = ['--url', stack.app.url, '--token', token];
      // Subscribed before or after the cancel, it sees the CANCELLED state: a final state is replayed to late subscribers.
      const events = startLfs(['events', id, '--json', ...connection]);
      const cancelled = await runLfs(['cancel', id, ...connection]);
      expect(cancelled).toMatchObject({ code: 0, stdout: `${id}  CANCELLED  to-cancel.bin\n`, stderr: '' });
      const followed = await events.done;
      expect(followed).toMatchObject({ code: 0, stderr: '' });
      expect(JSON.parse(lines(followed.stdout).at(-1)!)).toMatchObject({ file: { id, status: 'CANCELLED' } });
      const status = await runLfs(['status', id, ...connection]);
      expect(status.stdout).toMatch(/^status:\s+CANCELLED$/m);
      const again = await runLfs(['cancel', id, ...connection]);
      expect(again.code).toBe(1);
      expect(lines(again.stderr)).toHaveLength(1);
    });

    it('LFS_URL and LFS_TOKEN work as --url and --token; a bad token is one line saying how to give one', async () => {
      const env = { LFS_URL: stack.app.url, LFS_TOKEN: await stack.token('carol') };
      expect(await runLfs(['ls'], { env })).toMatchObject({ code: 0, stdout: 'no files\n', stderr: '' });
      const refused = await runLfs(['ls'], { env: { ...env, LFS_TOKEN: 'not-a-token' } });
      expect(refused.code).toBe(1);
      expect(lines(refused.stderr)).toEqual([expect.stringMatching(/^lfs ls: .*--token or LFS_TOKEN/)]);
    });
  });
});
