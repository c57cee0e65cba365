import { closeSync, fchmodSync, fstatSync, mkdirSync, openSync } from 'node:fs';
import { chmod, lstat, opendir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A data folder holds keys, credentials and everything they open, so it is
 * its owner's alone: folders 0700, files 0600. Modes are given explicitly
 * where things are created rather than through `process.umask()`, which
 * would change the mode of everything else the process (a test runner, an
 * app embedding the endpoint) creates.
 */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;
const OTHERS = 0o077;

/** Creates `path` and any missing parents, owner-only. */
export function makePrivateDir(path: string): void {
  mkdirSync(path, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/**
 * Creates `path` empty and owner-only unless it exists (tightening it if it
 * is wider). Done before SQLite opens a database: SQLite creates the `-wal`
 * and `-shm` files with the mode of the database file.
 */
export function makePrivateFile(path: string): void {
  const fd = openSync(path, 'a', PRIVATE_FILE_MODE);
  try {
    const { mode } = fstatSync(fd);
    if (mode & OTHERS) fchmodSync(fd, mode & ~OTHERS & 0o777);
  } finally {
    closeSync(fd);
  }
}

export interface TightenOptions {
  /** Called for each folder or file that stays open to others because it cannot be changed (e.g. owned by another user). */
  warn(path: string, mode: number, error: Error): void;
  /** A folder left alone (one that another component tightens itself). */
  skip?: string;
}

/**
 * Takes group and other permissions off `root` and everything under it, so
 * a data folder left open by an older version, or by hand, is closed at
 * start. Symbolic links below the root are not followed.
 */
export async function tightenTree(root: string, options: TightenOptions): Promise<void> {
  await tighten(root, (await stat(root)).mode, options);
  await tightenEntries(root, options);
}

async function tightenEntries(dir: string, options: TightenOptions): Promise<void> {
  for await (const entry of await opendir(dir)) {
    const path = join(dir, entry.name);
    if (path === options.skip || !(entry.isDirectory() || entry.isFile())) continue;
    await tighten(path, (await lstat(path)).mode, options);
    if (entry.isDirectory()) await tightenEntries(path, options);
  }
}

async function tighten(path: string, mode: number, options: TightenOptions): Promise<void> {
  if (!(mode & OTHERS)) return;
  try {
    await chmod(path, mode & ~OTHERS & 0o777);
  } catch (error) {
    options.warn(path, mode & 0o777, error as Error);
  }
}
