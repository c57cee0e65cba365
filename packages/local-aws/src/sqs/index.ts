import type { LocalDb } from '../db.js';
import { AwsError } from '../errors.js';
import { evaluate } from '../iam/policy.js';
import type { AwsRequest, AwsResponse } from '../types.js';
import { loadQueue, noSuchQueue, queueNameFromArn, type Input, type SqsContext } from './context.js';
import { messageAttributes } from './input.js';
import {
  changeMessageVisibility,
  changeMessageVisibilityBatch,
  deleteMessage,
  deleteMessageBatch,
  insertMessage,
  sendMessage,
  sendMessageBatch,
} from './messages.js';
import { queryInput, queryResponse } from './query-protocol.js';
import { createQueue, deleteQueue, getQueueAttributes, getQueueUrl, listQueues, purgeQueue, setQueueAttributes } from './queues.js';
import { receiveMessage, undelivered } from './receive.js';
import { createSqsStore } from './store.js';
import { createWaiters } from './waiters.js';
import { readJsonObject } from '../json-body.js';

export interface SqsOptions {
  db: LocalDb;
  region: string;
  accountId: string;
  /** Base URL of the endpoint, for QueueUrl values (`<base>/<account>/<name>`). */
  baseUrl: () => string;
}

/** An AWS service sending on a resource's behalf, as the queue policy's conditions see it. */
export interface ServiceSender {
  /** `s3.amazonaws.com` */
  service: string;
  /** `aws:SourceArn`: the bucket ARN for S3. */
  sourceArn: string;
  /** `aws:SourceAccount`: the bucket owner. */
  sourceAccount: string;
}

export interface Sqs {
  /**
   * Handles one request: JSON protocol (`X-Amz-Target: AmazonSQS.<Op>`,
   * `application/x-amz-json-1.0`), or the Query protocol when `params` is given.
   */
  handle(request: AwsRequest, params?: URLSearchParams): Promise<AwsResponse>;
  /**
   * Enqueues a message from an AWS service (S3 notifications) synchronously,
   * so a caller can do it inside its own SQLite transaction. Waiting
   * receivers are woken once the surrounding transaction has committed. The
   * queue policy must allow the service to `sqs:SendMessage`, as SQS decides
   * for S3 on AWS: a queue without a policy refuses it. Throws AwsError
   * QueueDoesNotExist, or AccessDenied when the policy refuses.
   */
  enqueue(queueArn: string, body: string, sender: ServiceSender, attributes?: Record<string, { DataType: string; StringValue: string }>): void;
  /** Stops long-poll timers and wakes waiting receivers with empty results. */
  close(): void;
}

type Operation = (ctx: SqsContext, input: Input, request: AwsRequest) => object | Promise<object>;

const operations: Record<string, Operation> = {
  CreateQueue: createQueue,
  GetQueueUrl: getQueueUrl,
  ListQueues: listQueues,
  DeleteQueue: deleteQueue,
  PurgeQueue: purgeQueue,
  GetQueueAttributes: getQueueAttributes,
  SetQueueAttributes: setQueueAttributes,
  SendMessage: sendMessage,
  SendMessageBatch: sendMessageBatch,
  ReceiveMessage: receiveMessage,
  DeleteMessage: deleteMessage,
  DeleteMessageBatch: deleteMessageBatch,
  ChangeMessageVisibility: changeMessageVisibility,
  ChangeMessageVisibilityBatch: changeMessageVisibilityBatch,
};

/** SQS bodies are small (1 MiB per message or batch); anything far larger is not SQS. */
const MAX_BODY = 4 * 1024 * 1024;

const readJson = async (request: AwsRequest) => (await readJsonObject(request, MAX_BODY)) as Input;

function operation(action: string | undefined): Operation {
  const op = action === undefined ? undefined : Object.hasOwn(operations, action) ? operations[action] : undefined;
  if (!op) throw new AwsError('InvalidAction', `The action ${action ?? '(none)'} is not valid for this endpoint.`);
  return op;
}

export function createSqs(options: SqsOptions): Sqs {
  const ctx: SqsContext = {
    store: createSqsStore(options.db),
    region: options.region,
    accountId: options.accountId,
    baseUrl: options.baseUrl,
    waiters: createWaiters(),
    now: () => Date.now(),
  };

  return {
    async handle(request, params) {
      if (params) {
        const action = params.get('Action') ?? undefined;
        const output = (await operation(action)(ctx, queryInput(params), request)) as Record<string, unknown>;
        return {
          status: 200,
          headers: { 'content-type': 'text/xml', 'x-amzn-requestid': request.requestId },
          body: queryResponse(action!, output, request.requestId),
          onUndelivered: (output as { [undelivered]?: () => void })?.[undelivered],
        };
      }
      const target = request.headers['x-amz-target'] ?? '';
      const action = target.startsWith('AmazonSQS.') ? target.slice('AmazonSQS.'.length) : undefined;
      const op = operation(action);
      const output = await op(ctx, await readJson(request), request);
      return {
        status: 200,
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': request.requestId },
        body: JSON.stringify(output),
        onUndelivered: (output as { [undelivered]?: () => void } | undefined)?.[undelivered],
      };
    },
    enqueue(queueArn, body, sender, attributes = {}) {
      const name = queueNameFromArn(ctx, queueArn);
      const queue = name === undefined ? undefined : loadQueue(ctx, name);
      if (!queue) throw noSuchQueue();
      const decision = evaluate({
        principal: { kind: 'service', service: sender.service },
        action: 'sqs:SendMessage',
        resource: queue.arn,
        context: { 'aws:SourceArn': sender.sourceArn, 'aws:SourceAccount': sender.sourceAccount, 'aws:SecureTransport': 'true' },
        resourcePolicy: queue.attributes.policy,
        resourceAccount: ctx.accountId,
      });
      if (decision !== 'Allow') throw new AwsError('AccessDenied', `${sender.service} may not send to ${queue.arn}: the queue policy does not allow it.`);
      const { attributes: checked } = messageAttributes({ MessageAttributes: attributes }, 'MessageAttributes');
      insertMessage(ctx, queue, { body, attributes: checked, systemAttributes: {}, senderId: ctx.accountId });
    },
    close() {
      ctx.waiters.close();
    },
  };
}
