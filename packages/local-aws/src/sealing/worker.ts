import { parentPort } from 'node:worker_threads';
import { collectEvery } from './garbage.js';
import type { FromWorker, SourceRange, ToWorker } from './protocol.js';
import { readSealedFrames, SealedFile } from './sealed-file.js';

/**
 * A sealing worker: digests, encrypts and writes blob files, and decrypts
 * them for reads, off the main thread, so hashing and AES run on other cores
 * and the garbage of per-frame ciphertext stays in this small heap. Jobs
 * interleave at their I/O waits; the steps of one job run in message order.
 */
const port = parentPort!;

/**
 * Ciphertext is garbage once written: collect it every few frames instead of
 * after 64 MB of it. Every 16 MiB, uploads and copies alike: more often cost
 * a tenth of an upload's CPU (forced collections every 4 MiB, measured
 * against 16), and 16 MiB of garbage per worker is still little memory.
 */
const sealed = collectEvery(16 * 1024 * 1024, 'major');
const copied = collectEvery(16 * 1024 * 1024, 'major');

interface Job {
  file: SealedFile;
  failure?: unknown;
}

const jobs = new Map<number, Job>();

interface ReadJob {
  credit: number;
  stopped: boolean;
  wake?: () => void;
}

const reads = new Map<number, ReadJob>();
/** Plaintext smaller than this may sit in Node's shared buffer pool: copied, never transferred. */
const TRANSFER_MIN = 64 * 1024;
/** Frames of one copy sealed ahead of the disk. */
const COPY_WRITES_AHEAD = 2;

function post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

function postFailure(id: number, error: unknown): void {
  const e = error as NodeJS.ErrnoException;
  post({ type: 'failed', job: id, message: e?.message ?? String(error), code: e?.code });
}

async function settle(id: number, job: Job, abort = false): Promise<void> {
  jobs.delete(id);
  if (abort || job.failure) {
    await job.file.discard();
    return postFailure(id, job.failure ?? new Error('aborted'));
  }
  try {
    const { size, digests } = await job.file.finish();
    post({ type: 'done', job: id, size, digests });
  } catch (error) {
    job.failure = error;
    await settle(id, job);
  }
}

async function copy(id: number, job: Job, sources: SourceRange[]): Promise<void> {
  try {
    const writes: Promise<void>[] = [];
    for (const source of sources) {
      const key = Buffer.from(source.dataKey);
      for await (const frame of readSealedFrames(source.path, source.blob, source.size, source.from, source.to, key, source.header)) {
        let written: Promise<void> = Promise.resolve();
        let bytes = 0;
        for (const plain of frame) {
          written = job.file.write(plain);
          bytes += plain.length;
        }
        // Writes complete in order: the frame's last one stands for all of them.
        const done = written.then(() => copied(bytes));
        done.catch(() => {});
        writes.push(done);
        if (writes.length > COPY_WRITES_AHEAD) await writes.shift();
      }
    }
    await Promise.all(writes);
  } catch (error) {
    job.failure = error;
  }
  await settle(id, job);
}

async function read(id: number, job: ReadJob, sources: SourceRange[]): Promise<void> {
  let size = 0;
  try {
    for (const source of sources) {
      const key = Buffer.from(source.dataKey);
      for await (const frame of readSealedFrames(source.path, source.blob, source.size, source.from, source.to, key, source.header)) {
        while (job.credit === 0 && !job.stopped) await new Promise<void>((resolve) => (job.wake = resolve));
        if (job.stopped) break;
        job.credit--;
        const parts = frame.map((plain) => ({ buffer: plain.buffer as ArrayBuffer, offset: plain.byteOffset, length: plain.length }));
        for (const part of parts) size += part.length;
        // One message per frame, its slices transferred (each is its own ArrayBuffer) unless small enough to copy.
        post({ type: 'chunk', job: id, parts }, parts.filter((part) => part.length >= TRANSFER_MIN).map((part) => part.buffer));
      }
      if (job.stopped) break;
    }
    reads.delete(id);
    if (job.stopped) postFailure(id, new Error('aborted'));
    else post({ type: 'done', job: id, size, digests: {} });
  } catch (error) {
    reads.delete(id);
    postFailure(id, error);
  }
}

port.on('message', (message: ToWorker) => {
  switch (message.op) {
    case 'read': {
      const job: ReadJob = { credit: message.credit, stopped: false };
      reads.set(message.job, job);
      void read(message.job, job, message.sources);
      break;
    }
    case 'more': {
      const job = reads.get(message.job);
      if (job) {
        job.credit += message.credit;
        job.wake?.();
      }
      break;
    }
    case 'open':
    case 'copy': {
      const job: Job = { file: new SealedFile(message.target) };
      jobs.set(message.job, job);
      if (message.op === 'copy') void copy(message.job, job, message.sources);
      break;
    }
    case 'data': {
      const { buffer, length } = message;
      const job = jobs.get(message.job);
      const written = job && !job.failure ? job.file.write(Buffer.from(buffer, 0, length)) : Promise.resolve();
      // The buffer goes back once its bytes are written: the sender's bound on bytes in flight.
      void written
        .then(
          () => sealed(length),
          (error) => {
            if (job) job.failure ??= error;
          },
        )
        .finally(() => post({ type: 'buffer', job: message.job, buffer }, [buffer]));
      break;
    }
    case 'end':
    case 'abort': {
      const reading = reads.get(message.job);
      if (reading) {
        reading.stopped = true;
        reading.wake?.();
        break;
      }
      const job = jobs.get(message.job);
      if (job) void settle(message.job, job, message.op === 'abort');
      break;
    }
  }
});
