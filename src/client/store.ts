import type { ChecksumAlgorithm } from './checksums.js';

/** What the client keeps about an upload in progress, so it can be resumed after a reload or a crash. */
export interface ResumeState {
  fileId: string;
  /** The multipart upload in the dock; null until it was created. */
  uploadId: string | null;
  partSize: number;
  /** The checksum the parts carry (null: none). */
  checksum: ChecksumAlgorithm | null;
  /** The source's size, name and modification time, to recognize it when it is chosen again. */
  size: number;
  name: string;
  lastModified?: number;
  /** The upload was completed; only the file's final state is awaited. */
  completed?: boolean;
  /** Epoch milliseconds of the last change. */
  updatedAt: number;
}

/** Where resume state lives (`store` option). Methods may be synchronous or return promises. */
export interface ResumeStore {
  get(fileId: string): ResumeState | undefined | Promise<ResumeState | undefined>;
  set(state: ResumeState): void | Promise<void>;
  delete(fileId: string): void | Promise<void>;
  list(): ResumeState[] | Promise<ResumeState[]>;
}

/** Keeps nothing past the process (or the page). */
export function memoryStore(): ResumeStore {
  const states = new Map<string, ResumeState>();
  return {
    get: (fileId) => states.get(fileId),
    set: (state) => void states.set(state.fileId, state),
    delete: (fileId) => void states.delete(fileId),
    list: () => [...states.values()],
  };
}

const PREFIX = 'lfs.upload.';

/**
 * The browser's default: one localStorage entry per upload. It holds ids and
 * sizes only, never a token or credentials (the upload id alone opens nothing).
 */
export function localStorageStore(storage: Storage = globalThis.localStorage): ResumeStore {
  const parse = (text: string | null): ResumeState | undefined => {
    try {
      return text ? (JSON.parse(text) as ResumeState) : undefined;
    } catch {
      return undefined;
    }
  };
  return {
    get: (fileId) => parse(storage.getItem(PREFIX + fileId)),
    set: (state) => storage.setItem(PREFIX + state.fileId, JSON.stringify(state)),
    delete: (fileId) => storage.removeItem(PREFIX + fileId),
    list: () => {
      const states: ResumeState[] = [];
      for (let i = 0; i < storage.length; i++) {
        const key = storage.key(i);
        const state = key?.startsWith(PREFIX) ? parse(storage.getItem(key)) : undefined;
        if (state) states.push(state);
      }
      return states;
    },
  };
}
