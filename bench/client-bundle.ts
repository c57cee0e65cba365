import { build, type Metafile } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { browserBundle } from '../scripts/build-upload-page.js';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Minified, then gzipped, as a browser would fetch it; `byPackage` splits the minified bytes by where they come from. */
async function measure(entry: { entryPoints: string[] } | { stdin: { contents: string; resolveDir: string } }) {
  const result = await build({ ...browserBundle, ...entry, metafile: true, logLevel: 'silent' });
  const code = result.outputFiles[0].contents;
  return { minifiedBytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length, byPackage: byPackage(result.metafile) };
}

function byPackage(metafile: Metafile): Record<string, number> {
  const sizes: Record<string, number> = {};
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
      const name = match ? (match[1].startsWith('@aws-sdk/') || match[1].startsWith('@smithy/') || match[1].startsWith('@aws-crypto/') ? match[1].split('/')[0] : match[1]) : 'large-file-service/client';
      sizes[name] = (sizes[name] ?? 0) + bytesInOutput;
    }
  }
  return Object.fromEntries(Object.entries(sizes).sort(([, a], [, b]) => b - a));
}

/**
 * The browser bundle of `large-file-service/client` (its AWS SDK parts
 * included), against the baseline a front end bundled before it: the S3
 * client and lib-storage alone, with none of the client's work done.
 */
export async function clientBundle() {
  const client = await measure({ entryPoints: [`${root}src/client/index.ts`] });
  const baseline = await measure({
    stdin: { contents: "export { S3Client } from '@aws-sdk/client-s3'; export { Upload } from '@aws-sdk/lib-storage';", resolveDir: root },
  });
  return {
    client,
    baseline: { what: '@aws-sdk/client-s3 S3Client + @aws-sdk/lib-storage Upload', minifiedBytes: baseline.minifiedBytes, gzipBytes: baseline.gzipBytes },
    gzipRatioToBaseline: client.gzipBytes / baseline.gzipBytes,
  };
}
