import type { DigestAlgorithm, Digester } from '@lfs/checksums';
import type { Command } from 'commander';
import { createWriteStream } from 'node:fs';
import { access, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Readable, Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { withClient, withConnection, type ConnectionFlags } from './connection.js';
import { CliError, exitCodes, onInterrupt } from './runtime.js';
import { formatBytes } from './format.js';
import { progressView, type ProgressLine } from './progress.js';

interface DownloadFlags extends ConnectionFlags {
  output?: string;
  force?: boolean;
}

/** The rate is the average since the start: a download is one steady stream. */
function meter(total: number, line: ProgressLine, digester: Digester | undefined) {
  const started = Date.now();
  let done = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, next) {
      done += chunk.length;
      digester?.update(chunk);
      const seconds = (Date.now() - started) / 1000;
      const bytesPerSecond = seconds > 0 ? done / seconds : 0;
      line.update({ phase: 'receive', done, total, bytesPerSecond, secondsLeft: bytesPerSecond > 0 ? (total - done) / bytesPerSecond : null });
      next(null, chunk);
    },
  });
}

/** A name LFS kept is the user's; on disk it must stay a plain name in the chosen folder. */
const safeName = (name: string) => basename(name.replace(/\\/g, '/')).replace(/^\.+$/, '') || 'download';

export function registerDownload(program: Command): void {
  withConnection(program.command('download'))
    .summary('download an AVAILABLE file, checking its checksum')
    .description('Downloads an AVAILABLE file through a download link, streamed to disk (never held in memory), and checks its size and its checksum when it has one; a file that does not match is not kept.')
    .argument('<id>', 'the file')
    .option('-o, --output <path>', "where to write it; - for stdout (default: the file's name in this folder)")
    .option('--force', 'overwrite an existing file')
    .action(async (id: string, flags: DownloadFlags) => {
      const controller = new AbortController();
      const restore = onInterrupt(() => controller.abort());
      try {
        await withClient(flags, async ({ lfs }) => {
          const file = await lfs.file(id);
          if (!file) throw new CliError(`file ${id} not found`);
          if (file.status !== 'AVAILABLE') throw new CliError(`file ${id} is ${file.status}: only AVAILABLE files can be downloaded`);
          const toStdout = flags.output === '-';
          const target = toStdout ? '-' : resolve(flags.output ?? safeName(file.name));
          if (!toStdout && !flags.force && (await exists(target))) throw new CliError(`${target} exists; --force overwrites it`);

          const link = await lfs.downloadLink(id);
          const response = await fetch(link.url, { signal: controller.signal }).catch((error: unknown) => {
            throw new CliError(`the download link could not be reached: ${(error as Error).message}`, { cause: error });
          });
          if (!response.ok || !response.body) throw new CliError(`the download link answered HTTP ${response.status}`);

          const digester = file.checksum ? (await import('@lfs/checksums')).createDigester(file.checksum.algorithm as DigestAlgorithm) : undefined;
          const view = progressView(process.stderr, toStdout);
          const line = view.add(file.name);
          // Written beside the target and renamed once checked, so a failed or wrong download leaves no file.
          const partial = toStdout ? '' : join(dirname(target), `.${basename(target)}.${process.pid}.part`);
          const sink: Writable = toStdout ? process.stdout : createWriteStream(partial, { flags: 'wx' });
          let received = 0;
          try {
            await pipeline(
              Readable.fromWeb(response.body as WebReadableStream<Uint8Array>),
              meter(file.size, { update: (step) => ((received = step.done), line.update(step)), finish: line.finish }, digester),
              sink,
              { signal: controller.signal, end: !toStdout },
            );
            if (received !== file.size) throw new CliError(`received ${received} bytes, the file has ${file.size}${toStdout ? '' : '; nothing was kept'}`);
            if (digester && file.checksum) {
              const actual = (await digester.digest()).toString('base64');
              if (actual !== file.checksum.value) {
                throw new CliError(`${file.checksum.algorithm} mismatch: expected ${file.checksum.value}, got ${actual}${toStdout ? '' : '; nothing was kept'}`);
              }
            }
            if (!toStdout) await rename(partial, target);
            line.finish(`done (${formatBytes(file.size)}${file.checksum ? `, ${file.checksum.algorithm} verified` : ''})`);
          } catch (error) {
            if (!toStdout) await rm(partial, { force: true });
            if (controller.signal.aborted) {
              line.finish('stopped');
              process.exitCode = exitCodes.interrupted;
              return;
            }
            throw error;
          } finally {
            view.stop();
          }
          if (!toStdout) process.stdout.write(`${target}\n`);
        });
      } finally {
        restore();
      }
    });
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
