import { buildSealingWorker } from '../../scripts/build-sealing-worker.js';

/** Vitest global setup: tests run the endpoint from source, so its worker bundle is rebuilt first and never stale. */
export default async function setup(): Promise<void> {
  await buildSealingWorker();
}
