import { spawn, type ChildProcess } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../bin/local-aws.js', import.meta.url));
/** Node flags that run the bin from this package's TypeScript source, as its shebang would run the build. */
export const sourceNodeArgs = ['--conditions=@lfs/source', '--import', 'tsx'];

export interface LocalAwsProcess {
  child: ChildProcess;
  /** `http://host:port` as printed at start. */
  url: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Everything the process printed so far. */
  output(): string;
  /** Resolves with the exit code (or signal) once the process is gone. */
  exited: Promise<number | string | null>;
  /** `kill -9`, resolved when the process is gone. */
  crash(): Promise<void>;
  /** SIGTERM (a clean stop), resolved when the process is gone. */
  stop(): Promise<void>;
}

export interface SpawnOptions {
  /** Added to the child's environment. */
  env?: Record<string, string>;
  /** Node flags before the bin's own: `--expose-gc` as the bin's shebang gives it, unless replaced. @default ['--expose-gc'] */
  nodeArgs?: string[];
}

/**
 * Runs `lfs-local-aws --port 0 --data-dir <dataDir>` (this package's bin, from
 * source) as a real child process, so it can be killed with SIGKILL, and
 * reads its URL and root credentials from what it prints.
 */
export async function spawnLocalAws(dataDir: string, options: SpawnOptions = {}): Promise<LocalAwsProcess> {
  const { env = {}, nodeArgs = ['--expose-gc'] } = options;
  const child = spawn(process.execPath, [...nodeArgs, ...sourceNodeArgs, bin, '--port', '0', '--data-dir', dataDir], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  const ready = await new Promise<Pick<LocalAwsProcess, 'url' | 'region' | 'credentials'>>((resolve, reject) => {
    // Starting from source on two busy cores can take a minute; one that never starts is not left running.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`local-aws did not start:\n${output}`));
    }, 120_000);
    const check = () => {
      const url = /endpoint \([^)]*\) at (\S+)/.exec(output)?.[1];
      const region = /region: (\S+)/.exec(output)?.[1];
      const accessKeyId = /AWS_ACCESS_KEY_ID=(\S+)/.exec(output)?.[1];
      const secretAccessKey = /AWS_SECRET_ACCESS_KEY=(\S+)/.exec(output)?.[1];
      if (url && region && accessKeyId && secretAccessKey) {
        clearTimeout(timer);
        child.stdout!.off('data', check);
        resolve({ url, region, credentials: { accessKeyId, secretAccessKey } });
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`local-aws exited with ${code} before it was ready:\n${output}`));
    });
  });
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return { child, ...ready, output: () => output, exited, crash: () => end('SIGKILL'), stop: () => end('SIGTERM') };
}

/** Regular files under `dir`, recursively (none when it does not exist). */
export async function filesUnder(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true, recursive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}
