import { AwsError } from '../errors.js';
import { evaluate } from '../iam/policy.js';
import type { AwsRequest } from '../types.js';
import { effectiveAttributes, type EffectiveAttributes } from './attributes.js';
import type { QueueRow, SqsStore } from './store.js';
import type { Waiters } from './waiters.js';

/** Everything an operation handler needs; built once by createSqs. */
export interface SqsContext {
  store: SqsStore;
  region: string;
  accountId: string;
  baseUrl: () => string;
  waiters: Waiters;
  now: () => number;
}

export interface Queue {
  name: string;
  arn: string;
  url: string;
  row: QueueRow;
  attributes: EffectiveAttributes;
}

/** The decoded request body (JSON protocol) or its Query-protocol equivalent. */
export type Input = Record<string, unknown>;

export const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;

export function queueArn(ctx: SqsContext, name: string): string {
  return `arn:aws:sqs:${ctx.region}:${ctx.accountId}:${name}`;
}

export function queueUrl(ctx: SqsContext, name: string): string {
  return `${ctx.baseUrl().replace(/\/+$/, '')}/${ctx.accountId}/${name}`;
}

export function loadQueue(ctx: SqsContext, name: string): Queue | undefined {
  const row = ctx.store.getQueue(name);
  if (!row) return undefined;
  return { name, arn: queueArn(ctx, name), url: queueUrl(ctx, name), row, attributes: effectiveAttributes(JSON.parse(row.attributes)) };
}

export function noSuchQueue(): AwsError {
  return new AwsError('QueueDoesNotExist', 'The specified queue does not exist.');
}

/** Queue name from an ARN of this account and region, for redrive and S3 notifications. */
export function queueNameFromArn(ctx: SqsContext, arn: string): string | undefined {
  const prefix = `arn:aws:sqs:${ctx.region}:${ctx.accountId}:`;
  return arn.startsWith(prefix) ? arn.slice(prefix.length) : undefined;
}

/**
 * The queue a request addresses: `QueueUrl` in the input, or else the request
 * path (`/<account>/<name>`, where old Query clients post). Only the path of
 * the URL counts, so a queue URL printed with another host name still works.
 */
export function queueFromInput(ctx: SqsContext, input: Input, request: AwsRequest): Queue {
  const url = input.QueueUrl;
  let path: string;
  if (typeof url === 'string' && url !== '') {
    try {
      path = new URL(url).pathname;
    } catch {
      path = url;
    }
  } else if (request.rawPath !== '/' && request.rawPath !== '') {
    path = request.rawPath.split('?')[0];
  } else {
    throw new AwsError('MissingParameter', 'The request must contain the parameter QueueUrl.');
  }
  const [account, name, ...rest] = decodeURIComponent(path).split('/').filter(Boolean);
  if (account !== ctx.accountId || !name || rest.length > 0) throw noSuchQueue();
  const queue = loadQueue(ctx, name);
  if (!queue) throw noSuchQueue();
  return queue;
}

/** IAM check for one SQS action; the queue policy is the resource policy. */
export function authorize(ctx: SqsContext, request: AwsRequest, action: string, resource: string, queue?: Queue): void {
  const { principal } = request;
  if (principal.kind === 'root' && principal.accountId === ctx.accountId && !queue?.attributes.policy) return;
  const decision = evaluate({
    principal,
    action: `sqs:${action}`,
    resource,
    context: { 'aws:SecureTransport': request.secure ? 'true' : 'false', 'aws:SourceIp': request.sourceIp },
    resourcePolicy: queue?.attributes.policy,
    // Queues belong to the main account: another account's caller needs the queue policy too.
    resourceAccount: ctx.accountId,
  });
  if (decision !== 'Allow') throw new AwsError('AccessDenied', `Access to the resource ${queue?.url ?? resource} is denied.`);
}
