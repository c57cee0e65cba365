import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cleanupAfterEach } from '../helpers/cleanup.js';
import { until } from '../helpers/process.js';
import { testEnv } from '../helpers/stack.js';
import { tempDirs } from '../helpers/temp-dirs.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const recordModules = fileURLToPath(new URL('../helpers/record-modules.mjs', import.meta.url));
const built = join(root, 'dist', 'cli.js');

/** `npm start` as package.json says it, `node` being this Node, with the module recorder loaded first. */
async function startCommand(): Promise<string[]> {
  const { scripts } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
  const [node, ...args] = (scripts.start as string).split(' ');
  expect(node).toBe('node');
  return ['--import', recordModules, ...args];
}

/**
 * Production runs the build: `npm start` serves LFS from dist/ (which
 * `npm install` builds through the prepare script) and the upload page's
 * script bundled at build time, and loads no TypeScript source, no
 * TypeScript loader and no bundler. Every other test that starts LFS as a
 * process runs the source, so this is the one test that needs a build
 * (`npm run build` after changing src/).
 */
describe('npm start', () => {
  const cleanup = cleanupAfterEach();
  const tempDir = tempDirs('lfs-built-');

  it('serves from dist/ and loads nothing from src/, tsx or esbuild', async () => {
    if (!existsSync(built)) throw new Error(`${built} is missing: run npm run build (npm install runs it)`);
    const dir = await tempDir();
    const log = join(dir, 'modules.log');
    const child = spawn(process.execPath, await startCommand(), {
      cwd: root,
      env: { ...process.env, ...testEnv(join(dir, 'data')), LFS_TEST_MODULE_LOG: log },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    cleanup(async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    });
    await until('LFS to be ready', async () => {
      if (child.exitCode !== null) throw new Error(`npm start exited before it was ready:\n${output}`);
      return /Upload page:\s+\S+/.test(output);
    });
    const url = /Upload page:\s+(\S+?)\/?\n/.exec(output)![1];

    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const page = await fetch(`${url}/`);
    expect(await page.text()).toBe(await readFile(join(root, 'dist', 'web', 'upload.html'), 'utf8'));
    const script = await fetch(`${url}/upload-page.js`);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await script.text()).toBe(await readFile(join(root, 'dist', 'web', 'upload-page.js'), 'utf8'));

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const files = (await readFile(log, 'utf8'))
      .split('\n')
      .filter((url) => url.startsWith('file:'))
      .map((url) => fileURLToPath(url));
    // The recording works: it saw LFS's build and the embedded endpoint's.
    expect(files).toContain(built);
    expect(files).toContain(join(root, 'packages', 'local-aws', 'dist', 'index.js'));
    const ours = files.filter((file) => file.startsWith(root) && !file.includes('/node_modules/'));
    expect(ours.filter((file) => /(^|\/)src\/|\.ts$/.test(file.slice(root.length)))).toEqual([]);
    expect(files.filter((file) => /\/node_modules\/(tsx|esbuild|@esbuild)\//.test(file))).toEqual([]);
  });
});
