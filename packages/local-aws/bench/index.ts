import { endpointBenches, runBenches } from './run.js';

/**
 * `npm run bench [-- names...]`: prints numbers and ratios against a baseline
 * measured in the same run. BENCH_SCALE (default 1) shrinks the sizes for a
 * quick look, e.g. BENCH_SCALE=0.1.
 */
await runBenches(endpointBenches(Number(process.env.BENCH_SCALE ?? 1)), process.argv.slice(2));
