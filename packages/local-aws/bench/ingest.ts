import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnLocalAws } from '../test/helpers/local-aws-process.js';
import { diskBaseline } from './baseline.js';
import { GiB, MiB, patternStream } from './data.js';
import { measureFloor, type Floor } from './floor.js';
import { spawnS3rver, type BenchServer } from './s3rver.js';

export interface IngestResult {
  bytes: number;
  ingestMiBps: number;
  peakServerRssMiB: number;
  /** CPU time (user + system) the server spent per GiB ingested: unlike the ratio, barely moved by a busy machine. */
  serverCpuSecondsPerGiB: number;
  /** CPU time the client (lib-storage and the SDK: SHA-256 payload signing, CRC32) spent per GiB, on the same cores. */
  clientCpuSecondsPerGiB: number;
}

export interface IngestComparison extends IngestResult {
  /** The 1- and 5-minute load averages when the run started and ended: other work on the machine skews everything. */
  loadAverage: { start: number[]; end: number[] };
  baselineMiBps: number;
  baselineRuns: number[];
  ratio: number;
  /** The same upload into a server that only discards the bytes: what the client alone can send here. */
  clientCeilingMiBps: number;
  /** ingestMiBps / clientCeilingMiBps. */
  ofClientCeiling: number;
  /** The same upload into s3rver, in the same run. */
  s3rver: IngestResult;
  /** ingestMiBps / s3rver's: the goal is at least 2.5. */
  vsS3rver: number;
  /** s3rver's server CPU per GiB / the endpoint's: the same comparison, barely moved by other work on the machine. */
  cpuVsS3rver: number;
  /** MiB/s and server CPU-s/GiB of every round, in order: how far the machine's load swung the run. */
  rounds: { endpoint: Array<[number, number]>; s3rver: Array<[number, number]> };
  /** The necessary work per GiB (SHA-256, CRC32, AES-256-GCM), measured in this process in the same run. */
  floor: Floor;
  /** serverCpuSecondsPerGiB / floor.total: the goal is at most 2. */
  cpuOfFloor: number;
}

const load = () => loadavg().slice(0, 2).map((n) => Number(n.toFixed(2)));

/**
 * The ingest benchmark: an object through lib-storage (16 MiB parts, 4 at a
 * time) with SigV4, the SDK's default CRC32 checksums and SSE-KMS, into the
 * endpoint and into s3rver, each in its own process (so its peak RSS and
 * CPU are its own), beside the disk baseline, the client's own ceiling and
 * the CPU floor of the necessary work, all measured in the same run.
 */
export async function ingestBenchmark(bytes = 2 * GiB, rounds = Number(process.env.BENCH_ROUNDS ?? 2)): Promise<IngestComparison> {
  const start = load();
  const floor = measureFloor(Math.min(bytes, GiB));
  const baseline = await diskBaseline(bytes);
  const ceiling = await clientCeiling(bytes);
  // Rounds alternate between the two servers, so a burst of other work on the
  // shared cores falls on both alike; each server's fastest round is compared.
  const ours: IngestResult[] = [];
  const theirs: IngestResult[] = [];
  for (let round = 0; round < Math.max(1, rounds); round++) {
    ours.push(await ingestOnly(bytes));
    theirs.push(await ingestInto(bytes, (dir) => spawnS3rver(dir)));
  }
  const result = fastest(ours);
  const s3rver = fastest(theirs);
  const perRound = (results: IngestResult[]) => results.map((r): [number, number] => [r.ingestMiBps, r.serverCpuSecondsPerGiB]);
  return {
    ...result,
    loadAverage: { start, end: load() },
    baselineMiBps: baseline.mibPerSecond,
    baselineRuns: baseline.runs,
    ratio: result.ingestMiBps / baseline.mibPerSecond,
    clientCeilingMiBps: ceiling,
    ofClientCeiling: result.ingestMiBps / ceiling,
    s3rver,
    vsS3rver: result.ingestMiBps / s3rver.ingestMiBps,
    cpuVsS3rver: s3rver.serverCpuSecondsPerGiB / result.serverCpuSecondsPerGiB,
    rounds: { endpoint: perRound(ours), s3rver: perRound(theirs) },
    floor,
    cpuOfFloor: result.serverCpuSecondsPerGiB / floor.total,
  };
}

const fastest = (results: IngestResult[]) => results.reduce((best, r) => (r.ingestMiBps > best.ingestMiBps ? r : best));

/**
 * The upload into the endpoint alone, for its memory and CPU. Its process
 * is started with BENCH_SERVER_NODE_ARGS: by default `--expose-gc`, as its
 * bin starts it; empty to measure it without forced collections; e.g.
 * `--expose-gc --cpu-prof --cpu-prof-dir=/tmp/prof` to profile it without
 * touching the client. BENCH_SERVER_DIR runs another checkout's endpoint
 * (its bin), to compare two versions with the same bench.
 */
export function ingestOnly(bytes: number): Promise<IngestResult> {
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '--expose-gc').split(' ').filter(Boolean);
  return ingestInto(bytes, async (dataDir) => {
    const server = await spawnLocalAws(dataDir, { nodeArgs, packageDir: process.env.BENCH_SERVER_DIR });
    return { ...server, pid: server.child.pid!, stop: () => server.stop() };
  });
}

async function ingestInto(bytes: number, start: (dataDir: string) => Promise<BenchServer>): Promise<IngestResult> {
  const dataDir = await mkdtemp(join(tmpdir(), 'lfs-bench-ingest-'));
  const server = await start(dataDir);
  const s3 = new S3Client({ endpoint: server.url, region: server.region, forcePathStyle: true, credentials: server.credentials });
  try {
    await s3.send(new CreateBucketCommand({ Bucket: 'bench' }));
    const cpuBefore = await cpuSeconds(server.pid);
    const clientBefore = process.cpuUsage();
    const seconds = await upload(s3, bytes);
    const clientCpu = process.cpuUsage(clientBefore);
    const serverCpuSecondsPerGiB = ((await cpuSeconds(server.pid)) - cpuBefore) / (bytes / GiB);
    return {
      bytes,
      ingestMiBps: bytes / MiB / seconds,
      peakServerRssMiB: await peakRssMiB(server.pid),
      serverCpuSecondsPerGiB,
      clientCpuSecondsPerGiB: (clientCpu.user + clientCpu.system) / 1e6 / (bytes / GiB),
    };
  } finally {
    s3.destroy();
    // A profiler writes its file on exit: wait for it.
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** The benchmark's upload: lib-storage, 16 MiB parts, 4 at a time, SSE-KMS; the SDK adds SigV4 (signed payload) and CRC32. Seconds. */
async function upload(s3: S3Client, bytes: number): Promise<number> {
  const started = performance.now();
  await new Upload({
    client: s3,
    partSize: 16 * MiB,
    queueSize: 4,
    params: { Bucket: 'bench', Key: 'big.bin', Body: patternStream(bytes), ServerSideEncryption: 'aws:kms' },
  }).done();
  return (performance.now() - started) / 1000;
}

/**
 * A server, in its own process like the endpoint, that reads and discards
 * every body and answers just enough S3 for lib-storage to finish.
 */
const NULL_SINK = `
const server = require('node:http').createServer((req, res) => {
  req.on('data', () => {});
  req.on('end', () => {
    res.setHeader('content-type', 'application/xml');
    if (req.method === 'POST' && req.url.includes('uploads')) res.end('<InitiateMultipartUploadResult><Bucket>bench</Bucket><Key>big.bin</Key><UploadId>u</UploadId></InitiateMultipartUploadResult>');
    else if (req.method === 'POST') res.end('<CompleteMultipartUploadResult><Bucket>bench</Bucket><Key>big.bin</Key><ETag>"e"</ETag></CompleteMultipartUploadResult>');
    else { res.setHeader('etag', '"e"'); res.end(); }
  });
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
process.on('SIGTERM', () => process.exit(0));
`;

/** MiB/s of the benchmark's upload into the null sink: the client's own limit on these cores. */
async function clientCeiling(bytes: number): Promise<number> {
  const sink = spawn(process.execPath, ['-e', NULL_SINK], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<string>((resolve, reject) => {
      sink.stdout!.once('data', (chunk) => resolve(String(chunk).trim()));
      sink.once('exit', (code) => reject(new Error(`null sink exited with ${code}`)));
    });
    const s3 = new S3Client({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
    try {
      return bytes / MiB / (await upload(s3, bytes));
    } finally {
      s3.destroy();
    }
  } finally {
    sink.kill('SIGTERM');
  }
}

/** utime + stime of a process, in seconds (USER_HZ is 100 on Linux). */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Peak resident set of a process (VmHWM), in MiB. */
async function peakRssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return kib / 1024;
}
