import { spawn, type ChildProcess } from 'node:child_process';
import { lfsFromSource } from './process.js';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliProcess {
  child: ChildProcess;
  /** What it printed so far. */
  stdout(): string;
  stderr(): string;
  done: Promise<CliRun>;
}

/** The environment of a CLI run: this one without LFS_* settings (a test names its own), plus `env`. */
function cliEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('LFS_')));
  return { ...base, ...env };
}

/**
 * Starts `lfs <args>` as a real process. With `pty`, under a pseudo-terminal
 * (util-linux `script`), so it sees a TTY on stdout and stderr and both
 * arrive, merged, as `stdout`.
 */
export function startLfs(args: string[], options: { env?: Record<string, string>; pty?: boolean; cwd?: string } = {}): CliProcess {
  // From source, as every test runs LFS: a stale dist/ is never what is tested.
  const command = [process.execPath, ...lfsFromSource, ...args];
  const quoted = command.map((word) => `'${word.replaceAll("'", "'\\''")}'`).join(' ');
  // -e: script exits with the command's code; -f: flushes as it goes. Its stdin stays open: at its end script would stop.
  const child = options.pty
    ? spawn('script', ['-qfec', quoted, '/dev/null'], { env: cliEnv(options.env ?? {}), cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] })
    : spawn(command[0], command.slice(1), { env: cliEnv(options.env ?? {}), cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const done = new Promise<CliRun>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { child, stdout: () => stdout, stderr: () => stderr, done };
}

/** Runs `lfs <args>` to its end. */
export function runLfs(args: string[], options: { env?: Record<string, string>; pty?: boolean; cwd?: string } = {}): Promise<CliRun> {
  return startLfs(args, options).done;
}
