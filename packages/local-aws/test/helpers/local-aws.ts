import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { createLocalAws, type LocalAws, type LocalAwsOptions } from '../../src/server.js';

export interface StartedLocalAws {
  aws: LocalAws;
  dataDir: string;
  /** An S3 client with the root credentials (or `credentials`), path style, pointed at the endpoint. */
  s3(config?: Partial<S3ClientConfig>): S3Client;
  /** Stops the endpoint and starts a new one on the same data dir (same port not guaranteed). */
  restart(): Promise<void>;
  /** Stops the endpoint, destroys the clients and removes the data dir. */
  stop(): Promise<void>;
}

/** Starts the embedded endpoint on a free port in a fresh temp dir. */
export async function startLocalAws(options: Partial<LocalAwsOptions> = {}): Promise<StartedLocalAws> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'lfs-local-aws-')));
  const build = () => createLocalAws({ port: 0, minSessionDurationSeconds: 1, ...options, dataDir });
  let aws = build();
  await aws.start();
  const clients: S3Client[] = [];
  return {
    get aws() {
      return aws;
    },
    dataDir,
    s3(config = {}) {
      const client = new S3Client({
        endpoint: aws.url,
        region: aws.region,
        forcePathStyle: true,
        credentials: aws.rootCredentials,
        maxAttempts: 1,
        ...config,
      });
      clients.push(client);
      return client;
    },
    async restart() {
      await aws.stop();
      aws = build();
      await aws.start();
    },
    async stop() {
      for (const client of clients) client.destroy();
      await aws.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Starts the embedded endpoint (as `startLocalAws`) with `buckets` created, and gives it with a root S3 client. */
export async function startLocalS3(buckets: string[], options: Partial<LocalAwsOptions> = {}): Promise<{ env: StartedLocalAws; s3: S3Client }> {
  const env = await startLocalAws(options);
  const s3 = env.s3();
  for (const Bucket of buckets) await s3.send(new CreateBucketCommand({ Bucket }));
  return { env, s3 };
}

/** The body of an object (or of `Range` of it), read in full. */
export async function bytesOf(s3: S3Client, Bucket: string, Key: string, Range?: string): Promise<Buffer> {
  const got = await s3.send(new GetObjectCommand({ Bucket, Key, Range }));
  return Buffer.from(await got.Body!.transformToByteArray());
}
