/** Bundles src/sealing/worker.ts into dist/sealing-worker.cjs. */
export function buildSealingWorker(): Promise<void>;
