import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadOrCreateSecret } from '../../../src/auth/index.js';

describe('loadOrCreateSecret', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('creates a 32-byte base64url secret readable only by the owner, then reuses it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lfs-secret-'));
    dirs.push(dir);
    const dataDir = join(dir, 'data');
    const secret = await loadOrCreateSecret(dataDir);
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await stat(join(dataDir, 'auth-secret'))).mode & 0o777).toBe(0o600);
    expect((await readFile(join(dataDir, 'auth-secret'), 'utf8')).trim()).toBe(secret);
    await expect(loadOrCreateSecret(dataDir)).resolves.toBe(secret);
  });

  it('gives every concurrent caller the same secret', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lfs-secret-'));
    dirs.push(dir);
    const secrets = await Promise.all(Array.from({ length: 5 }, () => loadOrCreateSecret(dir)));
    expect(new Set(secrets).size).toBe(1);
  });
});
