import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';

export interface BenchServer {
  url: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  pid: number;
  stop(): Promise<void>;
}

/** s3rver (a dev dependency, pinned) in its own process, storing under `directory`, with its fixed credentials. */
export async function spawnS3rver(directory: string): Promise<BenchServer> {
  const entry = createRequire(import.meta.url).resolve('s3rver');
  const script = `
    const S3rver = require(${JSON.stringify(entry)});
    new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: ${JSON.stringify(directory)} })
      .run().then((address) => console.log(address.port));
    process.on('SIGTERM', () => process.exit(0));
  `;
  const child: ChildProcess = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout!.once('data', (chunk) => resolve(String(chunk).trim()));
    child.once('exit', (code) => reject(new Error(`s3rver exited with ${code}`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    pid: child.pid!,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
