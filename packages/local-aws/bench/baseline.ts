import { createWriteStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { patternStream } from './data.js';

/**
 * The yardstick every storage benchmark is divided by: the same bytes written
 * to a new file with a plain Node stream, then fdatasync'ed, measured in the
 * same run on the same disk.
 */
export async function diskBaseline(bytes: number, dir?: string): Promise<{ seconds: number; mibPerSecond: number; runs: number[] }> {
  // The page cache and the host make single runs swing by 2-3x: take the median of three.
  const runs: Array<{ seconds: number; mibPerSecond: number }> = [];
  for (let i = 0; i < 3; i++) runs.push(await oneBaselineRun(bytes, dir));
  runs.sort((a, b) => a.mibPerSecond - b.mibPerSecond);
  return { ...runs[1], runs: runs.map((run) => Math.round(run.mibPerSecond)) };
}

async function oneBaselineRun(bytes: number, dir?: string): Promise<{ seconds: number; mibPerSecond: number }> {
  const folder = dir ?? (await mkdtemp(join(tmpdir(), 'lfs-bench-baseline-')));
  const path = join(folder, 'baseline.bin');
  try {
    const started = performance.now();
    await pipeline(patternStream(bytes), createWriteStream(path));
    const handle = await open(path, 'r+');
    await handle.datasync();
    await handle.close();
    const seconds = (performance.now() - started) / 1000;
    return { seconds, mibPerSecond: bytes / 1024 / 1024 / seconds };
  } finally {
    await rm(dir ? path : folder, { recursive: true, force: true });
  }
}
