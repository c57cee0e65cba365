import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';

/** Static credentials; a session token when they are temporary. */
export interface StaticCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface AwsClientOptions {
  /** Undefined on AWS; the embedded or another compatible endpoint otherwise. */
  endpoint?: string;
  region: string;
  /**
   * Undefined means each client's default provider chain: AWS_* environment
   * variables, the shared config/credentials files (AWS_PROFILE, SSO), web
   * identity tokens, ECS container and EC2 instance metadata, in that order.
   */
  credentials?: StaticCredentials;
  /** Attempts per call; the SDK's default (3) unless set. */
  maxAttempts?: number;
}

/** Sockets per client: parallel part copies need more than the SDK's default 50. */
const MAX_SOCKETS = 64;

export interface AwsClients {
  s3: S3Client;
  sts: STSClient;
  sqs: SQSClient;
  /** Provisioning and the start-up check only. */
  kms: KMSClient;
  iam: IAMClient;
  /** The endpoint the clients talk to; undefined on AWS. */
  endpoint: string | undefined;
  destroy(): void;
}

/** The SDK clients LFS itself uses, built once and shared. */
export function createAwsClients(options: AwsClientOptions): AwsClients {
  const requestHandler = new NodeHttpHandler({
    httpAgent: new HttpAgent({ keepAlive: true, maxSockets: MAX_SOCKETS }),
    httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: MAX_SOCKETS }),
    // Long polls hold a request for 20 s; copies of big parts take a while.
    requestTimeout: 0,
    connectionTimeout: 5_000,
  });
  const { credentials } = options;
  const common = {
    region: options.region,
    endpoint: options.endpoint,
    // A fresh plain object: the SDK writes on the credentials it is given (where they came from),
    // and the settings they come from are frozen.
    credentials: credentials && {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      ...(credentials.sessionToken ? { sessionToken: credentials.sessionToken } : {}),
    },
    requestHandler,
    ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
  };
  const s3 = new S3Client({ ...common, forcePathStyle: Boolean(options.endpoint) });
  const sts = new STSClient(common);
  const sqs = new SQSClient(common);
  const kms = new KMSClient(common);
  const iam = new IAMClient(common);
  return {
    s3,
    sts,
    sqs,
    kms,
    iam,
    endpoint: options.endpoint,
    destroy() {
      for (const client of [s3, sts, sqs, kms, iam]) client.destroy();
    },
  };
}
