import { GiB } from '../packages/local-aws/bench/data.js';
import { endpointBenches, runBenches } from '../packages/local-aws/bench/run.js';
import { clientBundle } from './client-bundle.js';
import { startPostgres } from '../test/helpers/postgres.js';
import { controlPlane } from './control-plane.js';
import { promotionLatency, promotionThroughput } from './promotion.js';

/**
 * `npm run bench [-- names...]`: prints numbers and ratios against a baseline
 * measured in the same run. BENCH_SCALE (default 1) shrinks the sizes for a
 * quick look, e.g. BENCH_SCALE=0.1. The endpoint's own benchmarks (ingest)
 * come from its package (`npm run bench -w @lfs/local-aws` runs only those).
 */
const scale = Number(process.env.BENCH_SCALE ?? 1);
await runBenches(
  {
    ...endpointBenches(scale),
    'promotion-latency': () => promotionLatency(Math.max(10, Math.round(200 * scale))),
    'promotion-throughput': () => promotionThroughput(Math.round(2 * GiB * scale)),
    'client-bundle': clientBundle,
    // The same with PostgreSQL: the event reaches the subscriber through NOTIFY and the listener.
    'promotion-latency-postgres': async () => {
      const postgres = await startPostgres();
      try {
        return await promotionLatency(Math.max(10, Math.round(200 * scale)), undefined, { LFS_DATABASE_URL: await postgres.createDatabase() });
      } finally {
        await postgres.destroy();
      }
    },
    'control-plane': () =>
      controlPlane({ seconds: Math.max(1, 3 * scale), rows: Math.round(1_000_000 * scale), subscribers: Math.max(100, Math.round(10_000 * scale)) }),
  },
  process.argv.slice(2),
);
