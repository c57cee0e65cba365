import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { diskBaseline } from './baseline.js';
import { GiB, MiB, patternStream } from './data.js';

export interface IngestResult {
  bytes: number;
  baselineMiBps: number;
  baselineRuns: number[];
  ingestMiBps: number;
  ratio: number;
  peakServerRssMiB: number;
  /** CPU time (user + system) the endpoint spent per GiB ingested: unlike the ratio, barely moved by a busy machine. */
  serverCpuSecondsPerGiB: number;
  /** CPU time the client (lib-storage and the SDK: SHA-256 payload signing, CRC32) spent per GiB, on the same cores. */
  clientCpuSecondsPerGiB: number;
  /** The same upload into a server that only discards the bytes: what the client alone can send here. */
  clientCeilingMiBps: number;
  /** ingestMiBps / clientCeilingMiBps. */
  ofClientCeiling: number;
}

/**
 * Issue 3's ingest benchmark: an object through lib-storage (16 MiB parts, 4
 * at a time) with SigV4, the SDK's default CRC32 trailing checksums and
 * SSE-KMS, into the embedded endpoint running as its own process (so its
 * peak RSS is its own), against the disk baseline measured in the same run.
 */
export async function ingestBenchmark(bytes = 2 * GiB): Promise<IngestResult> {
  const dataDir = await mkdtemp(join(tmpdir(), 'lfs-bench-ingest-'));
  const server = await startEndpoint(dataDir);
  const s3 = new S3Client({ endpoint: server.url, region: 'us-east-1', forcePathStyle: true, credentials: server.credentials });
  try {
    await s3.send(new CreateBucketCommand({ Bucket: 'bench' }));
    const baseline = await diskBaseline(bytes);
    const ceiling = await clientCeiling(bytes);
    const cpuBefore = await cpuSeconds(server.pid);
    const clientBefore = process.cpuUsage();
    const seconds = await upload(s3, bytes);
    const clientCpu = process.cpuUsage(clientBefore);
    const serverCpuSecondsPerGiB = ((await cpuSeconds(server.pid)) - cpuBefore) / (bytes / GiB);
    const ingestMiBps = bytes / MiB / seconds;
    return {
      bytes,
      baselineMiBps: baseline.mibPerSecond,
      baselineRuns: baseline.runs,
      ingestMiBps,
      ratio: ingestMiBps / baseline.mibPerSecond,
      peakServerRssMiB: await peakRssMiB(server.pid),
      serverCpuSecondsPerGiB,
      clientCpuSecondsPerGiB: (clientCpu.user + clientCpu.system) / 1e6 / (bytes / GiB),
      clientCeilingMiBps: ceiling,
      ofClientCeiling: ingestMiBps / ceiling,
    };
  } finally {
    s3.destroy();
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

async function startEndpoint(dataDir: string) {
  const cli = fileURLToPath(new URL('../bin/lfs.js', import.meta.url));
  // BENCH_SERVER_NODE_ARGS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) profiles the endpoint without touching the client.
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, cli, 'local-aws', '--port', '0', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk) => {
      output += chunk;
      if (/AWS_SECRET_ACCESS_KEY=\S+/.test(output)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`local-aws exited with ${code}: ${output}`)));
  });
  return {
    pid: child.pid!,
    url: /at (http:\/\/\S+)/.exec(output)![1],
    credentials: {
      accessKeyId: /AWS_ACCESS_KEY_ID=(\S+)/.exec(output)![1],
      secretAccessKey: /AWS_SECRET_ACCESS_KEY=(\S+)/.exec(output)![1],
    },
    /** Resolves once the process is gone (a profiler writes its file on exit). */
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
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
