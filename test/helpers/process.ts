import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mintDevelopmentToken } from '../../src/auth/index.js';
import { loadConfig } from '../../src/config.js';
import { FILE } from './operations.js';
import { testEnv } from './stack.js';
import { START_TIMEOUT_MS, WAIT_TIMEOUT_MS } from './waits.js';

const cli = fileURLToPath(new URL('../../bin/lfs.js', import.meta.url));
/**
 * Node arguments that run `lfs` from its TypeScript source (as `npm run dev`
 * does), so these tests need no fresh build of src/; `--expose-gc` as the
 * bin's shebang gives it. test/integration/built.test.ts runs the build.
 */
export const lfsFromSource = ['--expose-gc', '--conditions=@lfs/source', '--import', 'tsx', cli];

export interface LfsProcess {
  child: ChildProcess;
  /** GraphQL URL printed at start. */
  graphqlUrl: string;
  /** The development token printed at start, or one signed with LFS_AUTH_SECRET when the test gives it. */
  token: string;
  /** The AWS endpoint's URL: the embedded one's printed at start, or LFS_AWS_ENDPOINT. */
  awsUrl: string;
  /** The endpoint's root credentials: the embedded one's from the data folder, or LFS_AWS_ACCESS_KEY_ID/SECRET. */
  rootCredentials: { accessKeyId: string; secretAccessKey: string };
  /** Everything the process printed so far. */
  output: () => string;
  /** Resolves when the process has exited. */
  exited: Promise<number | null>;
}

/**
 * Runs `lfs serve` as a real child process (so it can be killed with
 * SIGKILL) and waits until it is ready; with LFS_AWS_ENDPOINT in `env` it
 * uses that endpoint instead of embedding one.
 */
export async function spawnLfs(dataDir: string, env: Record<string, string> = {}): Promise<LfsProcess> {
  const external = env.LFS_AWS_ENDPOINT;
  const secret = env.LFS_AUTH_SECRET;
  const child = spawn(process.execPath, [...lfsFromSource, 'serve'], {
    env: { ...process.env, ...testEnv(dataDir, env) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = await new Promise<{ graphqlUrl: string; token: string; awsUrl: string }>((resolve, reject) => {
    // Starting from source on two busy cores can take a minute; one that never starts is not left running.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`lfs did not start:\n${output}`));
    }, START_TIMEOUT_MS);
    const check = () => {
      const url = /GraphQL:\s+(\S+)/.exec(output);
      const token = /Development token[^\n]*\n\s*(\S+)/.exec(output);
      const aws = external ?? /AWS endpoint \(embedded\):\s+(\S+)/.exec(output)?.[1];
      // LFS prints a token only with the secret it generated; with a configured one the test mints it.
      if (url && (token || secret) && aws) {
        clearTimeout(timer);
        resolve({ graphqlUrl: url[1], token: token?.[1] ?? '', awsUrl: aws });
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`lfs exited with ${code} before it was ready:\n${output}`));
    });
  });
  const rootCredentials = external
    ? { accessKeyId: env.LFS_AWS_ACCESS_KEY_ID!, secretAccessKey: env.LFS_AWS_SECRET_ACCESS_KEY! }
    : JSON.parse(await readFile(join(dataDir, 'aws', 'root-credentials.json'), 'utf8'));
  const token = ready.token || (await mintDevelopmentToken(secret!, loadConfig(testEnv(dataDir, env)).auth));
  return { child, ...ready, token, rootCredentials, output: () => output, exited };
}

/** POSTs a GraphQL operation to a spawned LFS with its printed development token. */
export async function processGraphql(lfs: LfsProcess, query: string, variables: Record<string, unknown>): Promise<any> {
  const response = await fetch(lfs.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${lfs.token}` },
    body: JSON.stringify({ query, variables }),
  });
  return response.json();
}

/** Polls `check` until it holds; fails with `what` after `timeoutMs`. */
export async function until(what: string, check: () => Promise<boolean>, timeoutMs = WAIT_TIMEOUT_MS, intervalMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Waits until a spawned LFS reports the file in `status`. */
export function statusBecomes(lfs: LfsProcess, id: string, status: string, timeoutMs = WAIT_TIMEOUT_MS): Promise<void> {
  return until(`file ${id} to be ${status}`, async () => (await processGraphql(lfs, FILE, { id })).data.file.status === status, timeoutMs, 100);
}
