/**
 * `large-file-service/client`: uploads to LFS from a browser (this entry) or
 * Node (./node.ts, picked by the `node` export condition): one call that
 * uploads, survives expiring credentials and reloads, resumes, and resolves
 * when the file is AVAILABLE. Nothing here imports a Node module, so a
 * browser bundle stays free of them.
 */
import { jsSha256 } from './checksums.js';
import { createClientWith, type LfsClient, type LfsClientOptions } from './client.js';
import { localStorageStore, memoryStore } from './store.js';

export function createLfsClient(options: LfsClientOptions): LfsClient {
  return createClientWith(
    {
      defaultStore: () => (typeof localStorage === 'undefined' ? memoryStore() : localStorageStore()),
      sha256: jsSha256,
    },
    options,
  );
}

export type { LfsClient, LfsClientOptions } from './client.js';
export type { ChecksumAlgorithm } from './checksums.js';
export { LfsError, type LfsErrorCode } from './errors.js';
export type { UploadSource } from './source.js';
export { localStorageStore, memoryStore, type ResumeState, type ResumeStore } from './store.js';
export type { TokenSource } from './transport.js';
export type { FileStatus, FilesPage, ListOptions, LfsFile, LfsFileEvent, UploadOptions, UploadProgress } from './types.js';
