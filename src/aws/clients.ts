import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';

export interface AwsClientOptions {
  /** Undefined on AWS; the embedded or another compatible endpoint otherwise. */
  endpoint?: string;
  region: string;
  /** Undefined means the SDK's default provider chain (env, profile, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Sockets per client; parallel part copies need more than the SDK's default 50. @default 64 */
  maxSockets?: number;
}

export interface AwsClients {
  s3: S3Client;
  sts: STSClient;
  sqs: SQSClient;
  destroy(): void;
}

/** The SDK clients LFS itself uses, built once and shared. */
export function createAwsClients(options: AwsClientOptions): AwsClients {
  const maxSockets = options.maxSockets ?? 64;
  const requestHandler = new NodeHttpHandler({
    httpAgent: new HttpAgent({ keepAlive: true, maxSockets }),
    httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets }),
    // Long polls hold a request for 20 s; copies of big parts take a while.
    requestTimeout: 0,
    connectionTimeout: 5_000,
  });
  const common = {
    region: options.region,
    endpoint: options.endpoint,
    // A copy: the SDK records on the credentials object where it came from, and the configuration's is frozen.
    credentials: options.credentials && { ...options.credentials },
    requestHandler,
  };
  const s3 = new S3Client({ ...common, forcePathStyle: Boolean(options.endpoint) });
  const sts = new STSClient(common);
  const sqs = new SQSClient(common);
  return {
    s3,
    sts,
    sqs,
    destroy() {
      s3.destroy();
      sts.destroy();
      sqs.destroy();
    },
  };
}
