// STUB — to be implemented (IAM/STS/SQS helper). Signatures are the contract.
import type { LocalDb } from '../db.js';
import type { AwsRequest, AwsResponse } from '../types.js';

export interface SqsOptions {
  db: LocalDb;
  region: string;
  accountId: string;
  /** Base URL of the endpoint, for QueueUrl values (`<base>/<account>/<name>`). */
  baseUrl: () => string;
}

export interface Sqs {
  /**
   * Handles one request: JSON protocol (`X-Amz-Target: AmazonSQS.<Op>`,
   * `application/x-amz-json-1.0`), or the Query protocol when `params` is given.
   */
  handle(request: AwsRequest, params?: URLSearchParams): Promise<AwsResponse>;
  /**
   * Enqueues a message synchronously, so a caller can do it inside its own
   * SQLite transaction (S3 notifications). Waiting receivers are woken once
   * the surrounding transaction has committed. Throws AwsError QueueDoesNotExist.
   */
  enqueue(queueArn: string, body: string, attributes?: Record<string, { DataType: string; StringValue: string }>): void;
  /** Stops long-poll timers and wakes waiting receivers with empty results. */
  close(): void;
}

export function createSqs(_options: SqsOptions): Sqs {
  throw new Error('not implemented');
}
