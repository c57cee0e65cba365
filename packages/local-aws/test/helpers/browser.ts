import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * The Chromium the browser tests drive: Debian's `chromium` package, or
 * `LFS_TEST_CHROMIUM`. Undefined when there is none; playwright-core never
 * downloads a browser. (The repository's own tests use this one.)
 */
export function findChromium(): string | undefined {
  const chosen = process.env.LFS_TEST_CHROMIUM;
  if (chosen) return chosen;
  for (const candidate of ['/usr/bin/chromium', '/usr/bin/chromium-browser']) if (existsSync(candidate)) return candidate;
  const found = spawnSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' });
  return found.status === 0 && found.stdout.trim() ? found.stdout.trim() : undefined;
}

/** The flags a headless Chromium needs in a container. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];
