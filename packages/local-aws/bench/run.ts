import { GiB } from './data.js';
import { ingestBenchmark, ingestOnly } from './ingest.js';

export type Benches = Record<string, () => Promise<unknown>>;

/** The endpoint's benchmarks, their sizes multiplied by `scale`. */
export function endpointBenches(scale: number): Benches {
  return {
    ingest: () => ingestBenchmark(Math.round(2 * GiB * scale)),
    'ingest-5g-rss': async () => {
      const { bytes, peakServerRssMiB, ingestMiBps } = await ingestOnly(Math.round(5 * GiB * scale));
      return { bytes, peakServerRssMiB, ingestMiBps, goal: 'peak RSS < 200 MiB' };
    },
  };
}

/** Runs the benchmarks named in `args` (all when none), printing one JSON line each. */
export async function runBenches(benches: Benches, args: string[]): Promise<void> {
  const selected = args.filter((name) => !name.startsWith('-'));
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
}
