// Builds the upload page into dist/web/: its browser script (src/web/browser/
// upload.ts with large-file-service/client and the AWS SDK for the browser,
// bundled and minified; the client's typed documents must exist: npm run codegen) as
// upload-page.js, and upload.html beside the compiled page.js that serves
// both. Built here, at build time (npm run build, and the lfs test project's
// global setup), so that a running LFS never loads a bundler.
import { build } from 'esbuild';
import { copyFile, mkdir, rename, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const root = new URL('..', import.meta.url);
const outDir = new URL('dist/web/', root);

/** Writes each file whole or not at all: two test runs may build it while a third LFS reads it. */
async function replace(target, write) {
  const temporary = `${fileURLToPath(target)}.${process.pid}.tmp`;
  await write(temporary);
  await rename(temporary, target);
}

/** How browser code is bundled: the page here, and the client's size in `npm run bench -- client-bundle`. */
export const browserBundle = {
  bundle: true,
  write: false,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  legalComments: 'none',
};

export async function buildUploadPage() {
  const result = await build({
    ...browserBundle,
    entryPoints: [fileURLToPath(new URL('src/web/browser/upload.ts', root))],
    logLevel: 'warning',
  });
  await mkdir(outDir, { recursive: true });
  await replace(new URL('upload-page.js', outDir), (path) => writeFile(path, result.outputFiles[0].contents));
  await replace(new URL('upload.html', outDir), (path) => copyFile(new URL('src/web/upload.html', root), path));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await buildUploadPage();
