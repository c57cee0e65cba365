import type { DigestAlgorithm } from '@lfs/checksums';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { FRAME_SIZE } from '../crypto/frames.js';
import { collectEvery } from './garbage.js';
import type { FromWorker, SealTarget, SourceRange, ToWorker } from './protocol.js';

export interface SealResult {
  /** Plaintext bytes written. */
  size: number;
  digests: Partial<Record<DigestAlgorithm, Buffer>>;
}

/** Plaintext handed to a worker in pieces of this size (one message, one transferred buffer, per MiB). */
export const PIECE_SIZE = FRAME_SIZE;
/** Pieces one write may have in flight: its bound on memory, and enough to keep a worker busy while the next fills. */
const PIECES_PER_WRITE = 2;
/** Idle piece buffers kept for the next writes instead of being allocated again. */
const SPARE_PIECES = 4;
/** Frames (1 MiB, in slices) a read decrypts ahead of its reader. */
const READ_AHEAD = 2;

/**
 * The code a worker runs: worker.ts bundled into one plain-JS file at build
 * time (scripts/build-sealing-worker.js), because a worker thread does not
 * inherit the TypeScript loader of the thread that starts it. The same path
 * from src/sealing/ and dist/sealing/.
 */
export const WORKER_BUNDLE = fileURLToPath(new URL('../../dist/sealing-worker.cjs', import.meta.url));

/** Workers one pool may run: a worker per core for hashing and AES, at least 2 so a copy never waits behind an upload. */
const defaultSize = () => Math.max(2, Math.min(4, availableParallelism()));

interface JobListener {
  /** A write's piece buffer, back from the worker. */
  piece?(buffer: ArrayBuffer): void;
  /** A read's plaintext: one frame, in slices. */
  chunk?(plain: Buffer[]): void;
  settle(outcome: SealResult | Error): void;
}

interface Slot {
  worker: Worker;
  jobs: Map<number, JobListener>;
}

/**
 * The main thread's side of the sealing workers (worker.ts): the worker
 * threads of one endpoint, which digest, encrypt and write new blobs and
 * decrypt them for reads. `start()` starts the first worker, so a missing
 * bundle fails the endpoint's start and its first request pays no thread
 * start; more start when every running one is busy, up to `size`, so several
 * endpoints in one process (tests) hold only the threads they use. Workers
 * hold the process open only while they have jobs, and are replaced if they
 * die (their jobs fail).
 */
export class SealingPool {
  private readonly slots: Slot[] = [];
  private nextJob = 1;
  private readonly spare: ArrayBuffer[] = [];
  /**
   * Bytes this thread hands through, either way: an upload's socket reads are
   * dead once copied into a piece, a read's chunks once the response has sent
   * them. Collected every few MiB (garbage.ts).
   */
  private readonly passedThrough = collectEvery(8 * 1024 * 1024, 'minor');

  constructor(
    private readonly size = defaultSize(),
    private readonly bundle = WORKER_BUNDLE,
  ) {}

  /** Starts a blob written from plaintext the caller sends piece by piece. */
  write(target: SealTarget): SealingWrite {
    return new SealingWrite(this, target);
  }

  /** Writes a blob from ranges of existing blobs, entirely in a worker. */
  copy(target: SealTarget, sources: SourceRange[]): Promise<SealResult> {
    return new Promise((resolve, reject) => {
      this.startJob({ op: 'copy', job: 0, target, sources }, {
        settle: (outcome) => (outcome instanceof Error ? reject(outcome) : resolve(outcome)),
      });
    });
  }

  /**
   * Plaintext of `sources`, in order, decrypted in a worker a couple of
   * frames ahead of the consumer. Ending the iteration early stops the worker.
   */
  async *read(sources: SourceRange[]): AsyncGenerator<Buffer> {
    const queue: Buffer[][] = [];
    let outcome: SealResult | Error | undefined;
    let wake: (() => void) | undefined;
    const send = this.startJob({ op: 'read', job: 0, sources, credit: READ_AHEAD }, {
      chunk: (plain) => {
        queue.push(plain);
        wake?.();
      },
      settle: (result) => {
        outcome = result;
        wake?.();
      },
    });
    try {
      for (;;) {
        while (queue.length === 0 && !outcome) await new Promise<void>((resolve) => (wake = resolve));
        const frame = queue.shift();
        if (frame) {
          send({ op: 'more', job: 0, credit: 1 });
          for (const plain of frame) {
            this.passedThrough(plain.length);
            yield plain;
          }
        } else if (outcome instanceof Error) throw outcome;
        else return;
      }
    } finally {
      if (!outcome) send({ op: 'abort', job: 0 });
    }
  }

  /** Starts the first worker ahead of the first job (holding no job, it keeps no process alive). Throws when the bundle is missing. */
  start(): void {
    if (!existsSync(this.bundle)) throw new Error(`the sealing worker bundle ${this.bundle} is missing: run npm run build -w @lfs/local-aws`);
    if (this.slots.length === 0) this.spawn();
  }

  /** Stops every worker; their jobs fail. The next job starts a new one. */
  async close(): Promise<void> {
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }

  /** @internal Sends a new job's first message; later ones go through the returned `send`. */
  startJob(first: ToWorker, listener: JobListener): (message: ToWorker, transfer?: ArrayBuffer[]) => void {
    const slot = this.leastBusy();
    const job = this.nextJob++;
    slot.jobs.set(job, listener);
    if (slot.jobs.size === 1) slot.worker.ref();
    const send = (message: ToWorker, transfer: ArrayBuffer[] = []) => {
      if (slot.jobs.has(job)) slot.worker.postMessage({ ...message, job }, transfer);
    };
    send(first);
    return send;
  }

  /** @internal */
  takePiece(): ArrayBuffer {
    return this.spare.pop() ?? new ArrayBuffer(PIECE_SIZE);
  }

  /** @internal Counts plaintext bytes a write hands to a worker. */
  handedOver(bytes: number): void {
    this.passedThrough(bytes);
  }

  /** @internal */
  givePiece(buffer: ArrayBuffer): void {
    if (buffer.byteLength === PIECE_SIZE && this.spare.length < SPARE_PIECES) this.spare.push(buffer);
  }

  private leastBusy(): Slot {
    if (this.slots.length < this.size && this.slots.every((slot) => slot.jobs.size > 0)) return this.spawn();
    return this.slots.reduce((best, slot) => (slot.jobs.size < best.jobs.size ? slot : best));
  }

  private spawn(): Slot {
    const worker = new Worker(this.bundle);
    const slot: Slot = { worker, jobs: new Map() };
    this.slots.push(slot);
    worker.on('message', (message: FromWorker) => {
      const listener = slot.jobs.get(message.job);
      if (message.type === 'buffer') {
        if (listener?.piece) listener.piece(message.buffer);
        else this.givePiece(message.buffer);
        return;
      }
      if (message.type === 'chunk') {
        listener?.chunk?.(message.parts.map((part) => Buffer.from(part.buffer, part.offset, part.length)));
        return;
      }
      slot.jobs.delete(message.job);
      if (slot.jobs.size === 0) worker.unref();
      if (!listener) return;
      if (message.type === 'done') {
        const digests: SealResult['digests'] = {};
        for (const [algorithm, value] of Object.entries(message.digests)) digests[algorithm as DigestAlgorithm] = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
        listener.settle({ size: message.size, digests });
      } else {
        listener.settle(Object.assign(new Error(message.message), message.code ? { code: message.code } : {}));
      }
    });
    let failure: Error | undefined;
    worker.on('error', (error) => (failure = error));
    worker.on('exit', (code) => {
      const index = this.slots.indexOf(slot);
      if (index >= 0) this.slots.splice(index, 1);
      const error = new Error(`sealing worker stopped (exit code ${code})${failure ? `: ${failure.message}` : ''}`);
      for (const listener of slot.jobs.values()) listener.settle(error);
      slot.jobs.clear();
    });
    // After the listeners: attaching a 'message' listener refs the worker's port again.
    worker.unref();
    return slot;
  }
}

/**
 * One blob being written from plaintext: fill `piece()` buffers and `write`
 * them in order, then `end()`. At most PIECES_PER_WRITE pieces are out at
 * once; `piece()` waits for one to come back. On any failure call `abort()`:
 * it resolves once the worker has stopped writing and removed the file.
 */
export class SealingWrite {
  private readonly send: (message: ToWorker, transfer?: ArrayBuffer[]) => void;
  private readonly result: Promise<SealResult>;
  private readonly returned: ArrayBuffer[] = [];
  private waiting: ((buffer: ArrayBuffer | Error) => void) | undefined;
  private held = 0;
  private outcome: SealResult | Error | undefined;

  constructor(
    private readonly pool: SealingPool,
    target: SealTarget,
  ) {
    let settle!: (outcome: SealResult | Error) => void;
    this.result = new Promise<SealResult>((resolve, reject) => {
      settle = (outcome) => (outcome instanceof Error ? reject(outcome) : resolve(outcome));
    });
    this.result.catch(() => {});
    this.send = pool.startJob(
      { op: 'open', job: 0, target },
      {
        piece: (buffer) => {
          if (this.waiting) {
            const wake = this.waiting;
            this.waiting = undefined;
            wake(buffer);
          } else if (this.outcome) {
            this.held--;
            pool.givePiece(buffer);
          } else this.returned.push(buffer);
        },
        settle: (outcome) => {
          this.outcome = outcome;
          for (const buffer of this.returned.splice(0)) pool.givePiece(buffer);
          this.held = 0;
          if (this.waiting && outcome instanceof Error) this.waiting(outcome);
          this.waiting = undefined;
          settle(outcome);
        },
      },
    );
  }

  /** An empty piece buffer of PIECE_SIZE bytes to fill. */
  async piece(): Promise<Buffer> {
    if (this.outcome instanceof Error) throw this.outcome;
    const ready = this.returned.pop() ?? (this.held < PIECES_PER_WRITE ? (this.held++, this.pool.takePiece()) : undefined);
    if (ready) return Buffer.from(ready);
    const buffer = await new Promise<ArrayBuffer | Error>((resolve) => (this.waiting = resolve));
    if (buffer instanceof Error) throw buffer;
    return Buffer.from(buffer);
  }

  /** Hands the first `length` bytes of `piece` to the worker (the buffer is no longer the caller's). */
  write(piece: Buffer, length: number): void {
    this.pool.handedOver(length);
    if (length === 0) {
      this.returned.push(piece.buffer as ArrayBuffer);
      return;
    }
    this.send({ op: 'data', job: 0, buffer: piece.buffer as ArrayBuffer, length }, [piece.buffer as ArrayBuffer]);
  }

  /** Seals the end, fdatasyncs and closes the file. */
  end(): Promise<SealResult> {
    this.send({ op: 'end', job: 0 });
    return this.result;
  }

  /** Stops the write; resolves once the worker has closed and removed the file. */
  async abort(): Promise<void> {
    if (this.outcome) return;
    this.send({ op: 'abort', job: 0 });
    await this.result.catch(() => {});
  }
}
