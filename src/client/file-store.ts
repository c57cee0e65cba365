import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ResumeState, ResumeStore } from './store.js';

/**
 * Resume state in one small JSON file (Node's default store), written whole
 * to a temporary file and renamed, so a crash leaves the old or the new
 * state, never half of one. Owner-only: it names uploads in progress.
 * Writes of one process are serialized; processes sharing a file should
 * each use their own.
 */
export function createFileStore(path: string): ResumeStore {
  let queue: Promise<unknown> = Promise.resolve();

  async function load(): Promise<Record<string, ResumeState>> {
    try {
      return JSON.parse(await readFile(path, 'utf8')) as Record<string, ResumeState>;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw error;
    }
  }

  function change(edit: (states: Record<string, ResumeState>) => void): Promise<void> {
    const next = queue.then(async () => {
      const states = await load();
      edit(states);
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      const temporary = `${path}.${process.pid}.tmp`;
      await writeFile(temporary, JSON.stringify(states, null, 2), { mode: 0o600 });
      await rename(temporary, path);
    });
    queue = next.catch(() => {});
    return next;
  }

  return {
    get: async (fileId) => (await queue.then(load))[fileId],
    set: (state) => change((states) => void (states[state.fileId] = state)),
    delete: (fileId) => change((states) => void delete states[fileId]),
    list: async () => Object.values(await queue.then(load)),
  };
}
