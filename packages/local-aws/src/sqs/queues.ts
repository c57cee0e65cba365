import { AwsError } from '../errors.js';
import type { AwsRequest } from '../types.js';
import { effectiveAttributes, readOnlyAttributes, settableAttributes, validateAttributes } from './attributes.js';
import {
  QUEUE_NAME,
  authorize,
  loadQueue,
  noSuchQueue,
  queueArn,
  queueFromInput,
  queueUrl,
  type Input,
  type Queue,
  type SqsContext,
} from './context.js';
import { optionalInteger, optionalString, requiredString, stringList, stringMap } from './input.js';

/** Queue-level operations: JSON-protocol input in, JSON-protocol output out. */

function checkName(name: string): void {
  if (name.endsWith('.fifo')) throw new AwsError('InvalidParameterValue', 'FIFO queues are not supported by this endpoint.');
  if (!QUEUE_NAME.test(name)) {
    throw new AwsError('InvalidParameterValue', 'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length');
  }
}

export function createQueue(ctx: SqsContext, input: Input, request: AwsRequest) {
  const name = requiredString(input, 'QueueName');
  checkName(name);
  authorize(ctx, request, 'CreateQueue', queueArn(ctx, name));
  const attributes = validateAttributes(stringMap(input, 'Attributes'));
  const existing = loadQueue(ctx, name);
  if (existing) {
    // Idempotent only when every attribute asked for already has that value.
    const current = existing.attributes.values;
    const wanted = effectiveAttributes(attributes).values;
    const differs = Object.keys(attributes).some((key) => (current[key] ?? '') !== (wanted[key] ?? ''));
    if (differs) throw new AwsError('QueueNameExists', `A queue already exists with the same name and a different value for attribute(s).`);
    return { QueueUrl: existing.url };
  }
  ctx.store.insertQueue(name, attributes, stringMap(input, 'tags'), ctx.now());
  return { QueueUrl: queueUrl(ctx, name) };
}

export function getQueueUrl(ctx: SqsContext, input: Input, request: AwsRequest) {
  const name = requiredString(input, 'QueueName');
  const owner = optionalString(input, 'QueueOwnerAWSAccountId');
  const queue = owner === undefined || owner === ctx.accountId ? loadQueue(ctx, name) : undefined;
  if (!queue) throw noSuchQueue();
  authorize(ctx, request, 'GetQueueUrl', queue.arn, queue);
  return { QueueUrl: queue.url };
}

export function listQueues(ctx: SqsContext, input: Input, request: AwsRequest) {
  authorize(ctx, request, 'ListQueues', `arn:aws:sqs:${ctx.region}:${ctx.accountId}:*`);
  const prefix = optionalString(input, 'QueueNamePrefix') ?? '';
  const maxResults = optionalInteger(input, 'MaxResults', 1, 1000);
  const after = optionalString(input, 'NextToken');
  let names = ctx.store.listQueues(prefix).map((row) => row.name);
  if (after !== undefined) {
    const start = Buffer.from(after, 'base64url').toString('utf8');
    names = names.filter((name) => name > start);
  }
  // Without MaxResults AWS returns up to 1000 and no token.
  const limit = maxResults ?? 1000;
  const page = names.slice(0, limit);
  const more = maxResults !== undefined && names.length > limit;
  const result: { QueueUrls?: string[]; NextToken?: string } = {};
  if (page.length > 0) result.QueueUrls = page.map((name) => queueUrl(ctx, name));
  if (more) result.NextToken = Buffer.from(page[page.length - 1], 'utf8').toString('base64url');
  return result;
}

export function deleteQueue(ctx: SqsContext, input: Input, request: AwsRequest) {
  const queue = queueFromInput(ctx, input, request);
  authorize(ctx, request, 'DeleteQueue', queue.arn, queue);
  ctx.store.deleteQueue(queue.name);
  ctx.waiters.notify(queue.name);
  return {};
}

export function purgeQueue(ctx: SqsContext, input: Input, request: AwsRequest) {
  const queue = queueFromInput(ctx, input, request);
  authorize(ctx, request, 'PurgeQueue', queue.arn, queue);
  const now = ctx.now();
  if (queue.row.purged_at !== null && now - queue.row.purged_at < 60_000) {
    throw new AwsError('PurgeQueueInProgress', `Only one PurgeQueue operation on ${queue.name} is allowed every 60 seconds.`);
  }
  ctx.store.purge(queue.name, now);
  return {};
}

function computed(ctx: SqsContext, queue: Queue, name: (typeof readOnlyAttributes)[number]): string {
  const now = ctx.now();
  const counts = () => ctx.store.counts(queue.name, now, now - queue.attributes.retentionSeconds * 1000);
  switch (name) {
    case 'QueueArn':
      return queue.arn;
    case 'ApproximateNumberOfMessages':
      return String(counts().visible);
    case 'ApproximateNumberOfMessagesNotVisible':
      return String(counts().inFlight);
    case 'ApproximateNumberOfMessagesDelayed':
      return String(counts().delayed);
    case 'CreatedTimestamp':
      return String(Math.floor(queue.row.created_at / 1000));
    case 'LastModifiedTimestamp':
      return String(Math.floor(queue.row.modified_at / 1000));
  }
}

export function getQueueAttributes(ctx: SqsContext, input: Input, request: AwsRequest) {
  const queue = queueFromInput(ctx, input, request);
  authorize(ctx, request, 'GetQueueAttributes', queue.arn, queue);
  const requested = stringList(input, 'AttributeNames');
  const all = requested.includes('All');
  const known = new Set<string>([...settableAttributes, ...readOnlyAttributes]);
  for (const name of requested) {
    if (name !== 'All' && !known.has(name)) throw new AwsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
  }
  const attributes: Record<string, string> = {};
  for (const name of all ? settableAttributes : requested) {
    const value = queue.attributes.values[name];
    if (value !== undefined && settableAttributes.includes(name)) attributes[name] = value;
  }
  for (const name of readOnlyAttributes) {
    if (all || requested.includes(name)) attributes[name] = computed(ctx, queue, name);
  }
  return Object.keys(attributes).length > 0 ? { Attributes: attributes } : {};
}

export function setQueueAttributes(ctx: SqsContext, input: Input, request: AwsRequest) {
  const queue = queueFromInput(ctx, input, request);
  authorize(ctx, request, 'SetQueueAttributes', queue.arn, queue);
  const changes = validateAttributes(stringMap(input, 'Attributes'));
  const stored = { ...(JSON.parse(queue.row.attributes) as Record<string, string>), ...changes };
  ctx.store.updateQueueAttributes(queue.name, stored, ctx.now());
  return {};
}
