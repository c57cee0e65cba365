import { InvalidArgumentError, type Command } from 'commander';
import type { LfsClient, LfsFile, UploadOptions, UploadProgress } from 'large-file-service/client';
import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { withClient, withConnection, type ConnectionFlags } from './connection.js';
import { CliError, describeFailure, exitCodes, integerIn, lfsCode, onInterrupt, UsageError } from './runtime.js';
import { formatBytes } from './format.js';
import { progressView, type ProgressLine, type ProgressView, type Step } from './progress.js';
import { uploadState, type UploadState } from './upload-state.js';

interface UploadFlags extends ConnectionFlags {
  name?: string;
  contentType?: string;
  metadata?: Record<string, string>;
  concurrency: number;
  resume?: boolean;
  json?: boolean;
  debug?: boolean;
}

/** Files sent at once: enough that one file's promotion overlaps the next one's upload. */
const FILES_AT_ONCE = 2;

function metadataEntry(text: string, entries: Record<string, string> | undefined): Record<string, string> {
  const at = text.indexOf('=');
  if (at < 1) throw new InvalidArgumentError('key=value');
  return { ...(entries ?? {}), [text.slice(0, at)]: text.slice(at + 1) };
}

function stepOf(progress: UploadProgress): Step {
  if (progress.phase === 'promotion') return { phase: 'promote', done: progress.promotionProgress ?? 0, total: 1, bytesPerSecond: 0, secondsLeft: null };
  return { phase: progress.phase === 'fallback' ? 'send via LFS' : 'send', done: progress.bytesSent, total: progress.totalBytes, bytesPerSecond: progress.bytesPerSecond, secondsLeft: progress.secondsLeft };
}

export function registerUpload(program: Command): void {
  withConnection(program.command('upload'))
    .summary('upload files; exit 0 once every one is AVAILABLE')
    .description('Uploads each file straight to the storage, part by part, and waits until LFS has promoted it: exit 0 only when every file is AVAILABLE.')
    .argument('<file...>', 'files to upload')
    .option('--name <name>', "the name LFS keeps (one file only; default: the file's own)")
    .option('--content-type <type>', 'media type (default: application/octet-stream)')
    .option('--metadata <key=value>', 'a metadata entry; repeat for more', metadataEntry)
    .option('--concurrency <n>', 'parts of a file sent at once', integerIn(1, 64), 4)
    .option('--resume', 'continue an interrupted upload of the same file (same path, size and mtime) instead of starting over')
    .option('--json', 'one JSON line per finished file on stdout, nothing else there')
    .action(async (paths: string[], flags: UploadFlags, command: Command) => {
      if (flags.name !== undefined && paths.length > 1) throw new UsageError('--name: one file only');
      const debug = Boolean(command.optsWithGlobals().debug);
      const files = await Promise.all(paths.map(async (path) => ({ path: resolve(path), shown: path, stats: await statFile(path) })));
      const controller = new AbortController();
      const restore = onInterrupt(() => controller.abort());
      const view = progressView(process.stderr, Boolean(flags.json));
      const print: Printing = { json: flags.json, results: Boolean(flags.json) || !(view.drawing && process.stdout.isTTY), drawing: view.drawing, debug };
      try {
        let state: UploadState | undefined;
        const outcomes = await withClient(flags, ({ lfs }) => uploadAll(files, (file, line) => uploadOne(lfs, state!, file, flags, controller.signal, line, view.note), view, print), {
          store: async (url) => (state = await uploadState(url)).store,
        });
        view.stop();
        // Once the bars are done, so that none cuts through them.
        for (const failure of outcomes) if (typeof failure === 'string') process.stderr.write(`lfs upload: ${failure}\n`);
        if (controller.signal.aborted) {
          process.stderr.write(`stopped; \`lfs upload --resume ${paths.join(' ')}\` continues where it left off\n`);
          process.exitCode = exitCodes.interrupted;
        } else if (outcomes.some((ok) => ok !== true)) process.exitCode = exitCodes.failure;
      } finally {
        view.stop();
        restore();
      }
    });
}

interface LocalFile {
  path: string;
  shown: string;
  stats: Stats;
}

/** Uploads FILES_AT_ONCE at a time, each with its progress line; how each ended, as report() tells it. */
async function uploadAll(files: LocalFile[], upload: (file: LocalFile, line: ProgressLine) => Promise<LfsFile>, view: ProgressView, print: Printing) {
  const outcomes: Array<true | string | false> = [];
  const queue = [...files];
  const worker = async () => {
    for (let file = queue.shift(); file; file = queue.shift()) {
      const line = view.add(file.shown);
      outcomes.push(
        await upload(file, line).then(
          (done) => report(file.shown, done, null, line, print),
          (error: unknown) => report(file.shown, null, error, line, print),
        ),
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(FILES_AT_ONCE, files.length) }, worker));
  return outcomes;
}

async function statFile(path: string): Promise<Stats> {
  try {
    const stats = await stat(path);
    if (!stats.isFile()) throw new CliError(`${path}: not a file`);
    return stats;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new CliError(`${path}: no such file`);
    throw error;
  }
}

async function uploadOne(
  lfs: LfsClient,
  state: UploadState,
  file: LocalFile,
  flags: UploadFlags,
  signal: AbortSignal,
  line: ProgressLine,
  note: (text: string) => void,
): Promise<LfsFile> {
  const options: UploadOptions = {
    name: flags.name,
    contentType: flags.contentType,
    metadata: flags.metadata,
    concurrency: flags.concurrency,
    signal,
    onTicket: (fileId) => state.remember(fileId, file.path, file.stats),
    onProgress: (progress) => line.update(stepOf(progress)),
  };
  const earlier = await state.unfinished(file.path, file.stats);
  if (flags.resume) {
    for (const candidate of earlier) {
      try {
        return await lfs.resume(candidate.fileId, file.path, options);
      } catch (error) {
        // Gone for good (cancelled, expired, another user's): start over. Anything else is this file's failure.
        const code = lfsCode(error);
        if (code !== 'NOT_FOUND' && code !== 'CANCELLED' && code !== 'EXPIRED') throw error;
        await state.store.delete(candidate.fileId);
        note(`${file.shown}: ${candidate.fileId} cannot be resumed (${code}); uploading it anew`);
      }
    }
  } else if (earlier.length) {
    note(`${file.shown}: an interrupted upload of this file exists (${earlier[0].fileId}); --resume continues it`);
  }
  return lfs.upload(file.path, options);
}

interface Printing {
  json?: boolean;
  /** Result lines go to stdout (always with --json; not on a terminal where bars say it). */
  results: boolean;
  drawing: boolean;
  debug: boolean;
}

/** Prints how one file ended: true when it is AVAILABLE, else the line to print about it (none when it was stopped). */
function report(shown: string, file: LfsFile | null, error: unknown, line: ProgressLine, flags: Printing): true | string | false {
  const { debug } = flags;
  if (file) {
    line.finish(`available ${file.id}`);
    if (flags.results) process.stdout.write(flags.json ? `${JSON.stringify({ path: shown, ...file })}\n` : `${file.id}  ${file.status}  ${formatBytes(file.size)}  ${shown}\n`);
    return true;
  }
  const code = lfsCode(error) ?? 'ERROR';
  const fileId = (error as { fileId?: string } | undefined)?.fileId;
  const message = describeFailure(error, false);
  // A bar ends with its outcome; in plain lines the failure's own line (printed at the end) says it once.
  if (flags.drawing || code === 'ABORTED') line.finish(code === 'ABORTED' ? 'stopped' : `failed: ${message}`);
  if (flags.json) process.stdout.write(`${JSON.stringify({ path: shown, id: fileId ?? null, error: { code, message } })}\n`);
  return code === 'ABORTED' ? false : `${shown}: ${debug ? describeFailure(error, true) : message}`;
}
