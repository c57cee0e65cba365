import type { DigestAlgorithm } from '@lfs/checksums';

/**
 * Messages between the sealing pool (main thread) and its workers. A job
 * writes one new blob file, from pieces of plaintext the main thread sends
 * (an upload body) or from ranges of existing blobs the worker reads itself
 * (a copy), or reads ranges of blobs back as plaintext (a GET). Keys travel as plain bytes: the workers are threads of this
 * process, and the key ring stays on the main thread.
 */

/** Where and how a job writes its blob (crypto/frames.ts format). */
export interface SealTarget {
  /** The temp file to create (`wx`); the main thread renames it into place. */
  path: string;
  dataKey: Uint8Array;
  noncePrefix: Uint8Array;
  /** The blob id as AAD bytes. */
  context: Uint8Array;
  /** The encoded blob header (it carries the wrapped data key). */
  header: Uint8Array;
  /** Digests of the plaintext to return when the blob is complete. */
  algorithms: DigestAlgorithm[];
}

/** What a reader needs of a blob's header (crypto/frames.ts). */
export interface SourceHeader {
  frameSize: number;
  noncePrefix: Uint8Array;
  /** Where frame 0 starts. */
  length: number;
}

/** Plaintext bytes `from..to` (inclusive, within the segment) of one existing blob. */
export interface SourceRange {
  path: string;
  blob: string;
  /** The segment's plaintext size. */
  size: number;
  /** Its data key, unwrapped by the main thread. */
  dataKey: Uint8Array;
  /** Its header, when the main thread already read it (to unwrap the key): the worker does not read it again. */
  header?: SourceHeader;
  from: number;
  to: number;
}

export type ToWorker =
  | { op: 'open'; job: number; target: SealTarget }
  /** `length` plaintext bytes at the start of `buffer` (transferred; it comes back in a `buffer` reply). */
  | { op: 'data'; job: number; buffer: ArrayBuffer; length: number }
  | { op: 'end'; job: number }
  /** Stop, close and delete the temp file; answered with `failed`. */
  | { op: 'abort'; job: number }
  | { op: 'copy'; job: number; target: SealTarget; sources: SourceRange[] }
  /** Decrypt `sources` and send their plaintext back in order, at most `credit` chunks ahead of the reader. */
  | { op: 'read'; job: number; sources: SourceRange[]; credit: number }
  /** The reader took `credit` more chunks. */
  | { op: 'more'; job: number; credit: number };

export type FromWorker =
  | { type: 'buffer'; job: number; buffer: ArrayBuffer }
  /** Plaintext of a read, one frame's slices: `length` bytes at `offset` of each `buffer` (transferred when large, copied when small). */
  | { type: 'chunk'; job: number; parts: { buffer: ArrayBuffer; offset: number; length: number }[] }
  | { type: 'done'; job: number; size: number; digests: Partial<Record<DigestAlgorithm, Uint8Array>> }
  | { type: 'failed'; job: number; message: string; code?: string };
