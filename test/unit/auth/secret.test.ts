import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadOrCreateSecret } from '../../../src/auth/index.js';
import { tempDirs } from '../../helpers/temp-dirs.js';

describe('loadOrCreateSecret', () => {
  const tempDir = tempDirs('lfs-secret-');

  it('creates a 32-byte base64url secret readable only by the owner, then reuses it', async () => {
    const dir = await tempDir();
    const dataDir = join(dir, 'data');
    const secret = await loadOrCreateSecret(dataDir);
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await stat(join(dataDir, 'auth-secret'))).mode & 0o777).toBe(0o600);
    expect((await readFile(join(dataDir, 'auth-secret'), 'utf8')).trim()).toBe(secret);
    await expect(loadOrCreateSecret(dataDir)).resolves.toBe(secret);
  });

  it('gives every concurrent caller the same secret', async () => {
    const dir = await tempDir();
    const secrets = await Promise.all(Array.from({ length: 5 }, () => loadOrCreateSecret(dir)));
    expect(new Set(secrets).size).toBe(1);
  });
});
