import { GiB } from './data.js';
import { ingestBenchmark } from './ingest.js';
import { promotionLatency, promotionThroughput } from './promotion.js';

/**
 * `npm run bench [-- names...]`: prints numbers and ratios against a baseline
 * measured in the same run. BENCH_SCALE (default 1) shrinks the sizes for a
 * quick look, e.g. BENCH_SCALE=0.1.
 */
const scale = Number(process.env.BENCH_SCALE ?? 1);
const benches: Record<string, () => Promise<unknown>> = {
  ingest: () => ingestBenchmark(Math.round(2 * GiB * scale)),
  'ingest-5g-rss': async () => {
    const { peakServerRssMiB, ingestMiBps } = await ingestBenchmark(Math.round(5 * GiB * scale));
    return { bytes: Math.round(5 * GiB * scale), peakServerRssMiB, ingestMiBps, goal: 'peak RSS < 200 MiB' };
  },
  'promotion-latency': () => promotionLatency(Math.max(10, Math.round(200 * scale))),
  'promotion-throughput': () => promotionThroughput(Math.round(2 * GiB * scale)),
};

const selected = process.argv.slice(2).filter((name) => !name.startsWith('-'));
for (const name of selected.length ? selected : Object.keys(benches)) {
  const bench = benches[name];
  if (!bench) {
    console.error(`unknown benchmark ${name}; known: ${Object.keys(benches).join(', ')}`);
    process.exitCode = 2;
    continue;
  }
  const result = await bench();
  console.log(`${name}: ${JSON.stringify(result, (_key, value) => (typeof value === 'number' && !Number.isInteger(value) ? Number(value.toFixed(3)) : value))}`);
}
