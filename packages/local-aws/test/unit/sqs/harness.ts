import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLocalDb, type LocalDb } from '../../../src/db.js';
import { isAwsError } from '../../../src/errors.js';
import { createSqs, type Sqs } from '../../../src/sqs/index.js';
import type { Principal } from '../../../src/types.js';
import { awsRequest } from '../sts/request.js';

export const accountId = '000000000000';
export const region = 'us-east-1';
export const baseUrl = 'http://127.0.0.1:4566';
export const root: Principal = { kind: 'root', accessKeyId: 'AKIAROOT', arn: `arn:aws:iam::${accountId}:root`, accountId };

/** One SQS instance on a temp data dir, called the way the HTTP binding calls it. */
export class SqsHarness {
  sqs!: Sqs;
  db!: LocalDb;
  dataDir!: string;

  async open(): Promise<this> {
    this.dataDir = await mkdtemp(join(tmpdir(), 'lfs-sqs-'));
    this.start();
    return this;
  }

  private start(): void {
    this.db = openLocalDb(this.dataDir);
    this.sqs = createSqs({ db: this.db, region, accountId, baseUrl: () => baseUrl });
  }

  /** Closes and re-creates everything on the same data dir, as a process restart would. */
  restart(): void {
    this.sqs.close();
    this.db.close();
    this.start();
  }

  async close(): Promise<void> {
    this.sqs.close();
    this.db.close();
    await rm(this.dataDir, { recursive: true, force: true });
  }

  async call(operation: string, input: Record<string, unknown>, principal: Principal = root): Promise<any> {
    const request = awsRequest(principal, {
      body: JSON.stringify(input),
      headers: { 'x-amz-target': `AmazonSQS.${operation}`, 'content-type': 'application/x-amz-json-1.0' },
    });
    const response = await this.sqs.handle(request);
    return JSON.parse(String(response.body));
  }

  async codeOf(operation: string, input: Record<string, unknown>, principal: Principal = root): Promise<string | undefined> {
    try {
      await this.call(operation, input, principal);
    } catch (error) {
      if (isAwsError(error)) return error.code;
      throw error;
    }
    return undefined;
  }

  async createQueue(name: string, attributes: Record<string, string> = {}): Promise<string> {
    return (await this.call('CreateQueue', { QueueName: name, Attributes: attributes })).QueueUrl;
  }
}
