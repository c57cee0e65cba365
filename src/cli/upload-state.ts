import type { ResumeState, ResumeStore } from 'large-file-service/client';
import type { Stats } from 'node:fs';

/** What the CLI adds to the client's resume state: which file on this machine, and which LFS. */
interface CliState extends ResumeState {
  path?: string;
  mtimeMs?: number;
  server?: string;
}

export interface UploadState {
  /** The client's store, each state tagged with the path, mtime and server of its upload. */
  store: ResumeStore;
  /** Tags the upload of `fileId` (call from onTicket, before the client first saves its state). */
  remember(fileId: string, path: string, stats: Stats): void;
  /** The unfinished upload of this very file (same path, size and mtime) to this LFS, newest first. */
  unfinished(path: string, stats: Stats): Promise<ResumeState[]>;
}

/**
 * The client's state file (LFS_CLIENT_STATE_FILE, else
 * ~/.large-file-service/uploads.json), where `--resume` finds what an
 * interrupted upload of the same file left: a file changed since (another
 * size or mtime) is not resumed, and the client checks every part it reuses
 * anyway.
 */
export async function uploadState(server: string): Promise<UploadState> {
  const { createFileStore, defaultStateFile } = await import('large-file-service/client');
  const inner = createFileStore(defaultStateFile());
  const tags = new Map<string, Pick<CliState, 'path' | 'mtimeMs' | 'server'>>();
  return {
    store: {
      get: (fileId) => inner.get(fileId),
      set: (state) => inner.set({ ...state, ...tags.get(state.fileId) } as CliState),
      delete: (fileId) => inner.delete(fileId),
      list: () => inner.list(),
    },
    remember(fileId, path, stats) {
      tags.set(fileId, { path, mtimeMs: stats.mtimeMs, server });
    },
    async unfinished(path, stats) {
      const states = (await inner.list()) as CliState[];
      return states
        .filter((state) => state.path === path && state.server === server && state.size === stats.size && state.mtimeMs === stats.mtimeMs)
        .sort((a, b) => b.updatedAt - a.updatedAt);
    },
  };
}
