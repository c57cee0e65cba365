/**
 * `large-file-service/client` on Node (the `node` export condition): the
 * browser entry's API, plus file paths as sources, a state file as the
 * default store, native SHA-256, and the `ws` package where Node has no
 * global WebSocket (Node 20).
 */
import { createHash } from 'node:crypto';
import { openAsBlob } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import WebSocket from 'ws';
import { createClientWith, type LfsClient, type LfsClientOptions } from './client.js';
import { createFileStore } from './file-store.js';

/** Where the default state file lives: LFS_CLIENT_STATE_FILE, else ~/.large-file-service/uploads.json. */
export function defaultStateFile(): string {
  return process.env.LFS_CLIENT_STATE_FILE ?? join(homedir(), '.large-file-service', 'uploads.json');
}

export function createLfsClient(options: LfsClientOptions): LfsClient {
  return createClientWith(
    {
      openPath: async (path) => ({ blob: await openAsBlob(path), name: basename(path) }),
      defaultStore: () => createFileStore(defaultStateFile()),
      webSocketImpl: (globalThis as { WebSocket?: unknown }).WebSocket ?? WebSocket,
      sha256: () => {
        const hash = createHash('sha256');
        return { update: (bytes) => void hash.update(bytes), digest: async () => hash.digest() };
      },
    },
    options,
  );
}

export { createFileStore } from './file-store.js';
export * from './index.js';
