// Bundles src/sealing/worker.ts into dist/sealing-worker.cjs, the one file a
// sealing worker thread runs. A worker thread does not inherit the TypeScript
// loader of the thread that starts it (tsx, or Vite under Vitest), and
// registering one in each worker would cost ~40 MB per worker; one plain-JS
// bundle costs neither. Built here, at build time (npm run build, and the test
// runs' global setup), so that starting the endpoint never runs a bundler.
import { build } from 'esbuild';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = new URL('..', import.meta.url);
const outfile = fileURLToPath(new URL('dist/sealing-worker.cjs', root));

/** Writes the bundle (about 0.1 s), whole or not at all: two test projects may build it at once while workers start. */
export async function buildSealingWorker() {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('src/sealing/worker.ts', root))],
    outfile,
    write: false,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    // The workspace packages it imports (@lfs/checksums) are bundled from their source.
    conditions: ['@lfs/source'],
    logLevel: 'warning',
  });
  await mkdir(dirname(outfile), { recursive: true });
  const temporary = `${outfile}.${process.pid}.tmp`;
  await writeFile(temporary, result.outputFiles[0].contents);
  await rename(temporary, outfile);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await buildSealingWorker();
