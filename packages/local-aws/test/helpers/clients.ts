import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { STSClient } from '@aws-sdk/client-sts';
import type { LocalAws } from '../../src/server.js';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface Clients {
  iam: IAMClient;
  kms: KMSClient;
  s3: S3Client;
  sqs: SQSClient;
  sts: STSClient;
}

/**
 * The real SDK clients of every service the endpoint speaks, signed with
 * `credentials` (the main account's root by default). `destroyAll` ends every
 * set made, for an afterAll.
 */
export function clientFactory(aws: () => LocalAws) {
  const made: Clients[] = [];
  const clientsFor = (credentials: Credentials = aws().rootCredentials, extra: Record<string, unknown> = {}): Clients => {
    // A copy each: the SDK writes on the credentials object it is given.
    const config = { endpoint: aws().url, region: aws().region, credentials: { ...credentials }, maxAttempts: 1, ...extra };
    const clients = {
      iam: new IAMClient(config),
      kms: new KMSClient(config),
      s3: new S3Client({ ...config, forcePathStyle: true }),
      sqs: new SQSClient(config),
      sts: new STSClient(config),
    };
    made.push(clients);
    return clients;
  };
  let root: Clients | undefined;
  return {
    clientsFor,
    /** A user (made by the root) with an access key and these inline policies: its clients and ARN. */
    async userWith(name: string, ...statements: object[]): Promise<{ clients: Clients; arn: string }> {
      const { iam } = (root ??= clientsFor());
      const { User } = await iam.send(new CreateUserCommand({ UserName: name }));
      if (statements.length) await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'p', PolicyDocument: policy(...statements) }));
      const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
      return { clients: clientsFor({ accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! }), arn: User!.Arn! };
    },
    destroyAll() {
      root = undefined;
      for (const clients of made.splice(0)) for (const client of Object.values(clients)) client.destroy();
    },
  };
}

/**
 * The error a request failed with: `name` is the AWS error code on the wire
 * (the Query protocol's `Code`, which the SDK names by its exception class
 * otherwise). Fails when the request succeeded.
 */
export async function refusal(promise: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  try {
    await promise;
  } catch (error) {
    const e = error as Error & { Code?: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.Code ?? e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  throw new Error('expected the request to fail');
}

export const policy = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });
