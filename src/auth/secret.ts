import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '@lfs/private-files';

/**
 * The HS256 secret of embedded mode: generated on first start into
 * `<dataDir>/auth-secret` (owner read/write only) and reused afterwards, so
 * tokens minted by `lfs token` stay valid across restarts.
 */
export async function loadOrCreateSecret(dataDir: string): Promise<string> {
  await mkdir(dataDir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const path = join(dataDir, 'auth-secret');
  const secret = randomBytes(32).toString('base64url');
  // Written in full under a private name, then linked into place: link() fails
  // when the file exists, so concurrent starters agree on one secret and none
  // ever reads a half-written file.
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temporary, `${secret}\n`, { mode: PRIVATE_FILE_MODE });
  try {
    await link(temporary, path);
    return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await rm(temporary, { force: true });
  }
  const existing = (await readFile(path, 'utf8')).trim();
  if (existing.length < 32) throw new Error(`${path} holds no usable secret (fewer than 32 characters)`);
  return existing;
}
