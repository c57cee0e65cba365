import { randomBytes, randomUUID } from 'node:crypto';
import { AwsError, isAwsError } from '../errors.js';
import type { AwsRequest, Principal } from '../types.js';
import { authorize, queueFromInput, type Input, type Queue, type SqsContext } from './context.js';
import { checkContents, entries, messageAttributes, optionalInteger, requiredString } from './input.js';
import { md5Hex, md5OfAttributes } from './md5.js';
import type { MessageAttributes, MessageRow } from './store.js';

/** Message-level operations other than ReceiveMessage. */

export interface OutgoingMessage {
  body: string;
  attributes: MessageAttributes;
  systemAttributes: MessageAttributes;
  delaySeconds?: number;
  senderId: string;
}

/** Inserts one message; synchronous so S3 notifications can enqueue inside their own transaction. */
export function insertMessage(ctx: SqsContext, queue: Queue, message: OutgoingMessage) {
  const now = ctx.now();
  const delay = message.delaySeconds ?? queue.attributes.delaySeconds;
  const hasAttributes = Object.keys(message.attributes).length > 0;
  const hasSystem = Object.keys(message.systemAttributes).length > 0;
  const row = {
    queue: queue.name,
    message_id: randomUUID(),
    body: message.body,
    body_md5: md5Hex(message.body),
    attributes: hasAttributes ? JSON.stringify(message.attributes) : null,
    attributes_md5: md5OfAttributes(message.attributes) ?? null,
    system_attributes: hasSystem ? JSON.stringify(message.systemAttributes) : null,
    system_attributes_md5: md5OfAttributes(message.systemAttributes) ?? null,
    sender_id: message.senderId,
    sent_at: now,
    visible_at: now + delay * 1000,
  };
  ctx.store.insertMessage(row);
  ctx.waiters.notify(queue.name);
  return row;
}

export function senderId(principal: Principal, accountId: string): string {
  switch (principal.kind) {
    case 'root':
      return accountId;
    case 'assumed-role':
      return `${principal.roleArn.split('/').pop()}:${principal.sessionName}`;
    case 'user':
      return principal.userId;
    default:
      return 'anonymous';
  }
}

/** Validates one SendMessage(-BatchEntry) input; returns the message and its counted size. */
function readMessage(ctx: SqsContext, queue: Queue, input: Input, principal: Principal): { message: OutgoingMessage; size: number } {
  const body = requiredString(input, 'MessageBody');
  if (body.length === 0) throw new AwsError('MissingParameter', 'The request must contain the parameter MessageBody.');
  checkContents(body, 'the message body');
  const delaySeconds = optionalInteger(input, 'DelaySeconds', 0, 900);
  const { attributes, size: attributesSize } = messageAttributes(input, 'MessageAttributes');
  const { attributes: systemAttributes } = messageAttributes(input, 'MessageSystemAttributes');
  for (const name of Object.keys(systemAttributes)) {
    if (name !== 'AWSTraceHeader') throw new AwsError('InvalidParameterValue', `Message system attribute ${name} is not supported.`);
  }
  const size = Buffer.byteLength(body) + attributesSize;
  if (size > queue.attributes.maximumMessageSize) {
    throw new AwsError('InvalidParameterValue', `One or more parameters are invalid. Reason: Message must be shorter than ${queue.attributes.maximumMessageSize} bytes.`);
  }
  return { message: { body, attributes, systemAttributes, delaySeconds, senderId: senderId(principal, ctx.accountId) }, size };
}

function sendResult(row: ReturnType<typeof insertMessage>) {
  return {
    MessageId: row.message_id,
    MD5OfMessageBody: row.body_md5,
    ...(row.attributes_md5 ? { MD5OfMessageAttributes: row.attributes_md5 } : {}),
    ...(row.system_attributes_md5 ? { MD5OfMessageSystemAttributes: row.system_attributes_md5 } : {}),
  };
}

export function sendMessage(ctx: SqsContext, input: Input, request: AwsRequest) {
  const queue = queueFromInput(ctx, input, request);
  authorize(ctx, request, 'SendMessage', queue.arn, queue);
  const { message } = readMessage(ctx, queue, input, request.principal);
  return sendResult(insertMessage(ctx, queue, message));
}

interface BatchFailure {
  Id: string;
  SenderFault: boolean;
  Code: string;
  Message: string;
}

/** Runs `each` per entry; an AwsError fails only its entry, as SQS reports batch errors. */
function batch<T>(list: Input[], each: (entry: Input) => T): { Successful: (T & { Id: string })[]; Failed: BatchFailure[] } {
  const Successful: (T & { Id: string })[] = [];
  const Failed: BatchFailure[] = [];
  for (const entry of list) {
    const Id = entry.Id as string;
    try {
      Successful.push({ Id, ...each(entry) });
    } catch (error) {
      if (!isAwsError(error)) throw error;
      Failed.push({ Id, SenderFault: error.status < 500, Code: error.code, Message: error.message });
    }
  }
  return { Successful, Failed };
}

export function sendMessageBatch(ctx: SqsContext, input: Input, request: AwsRequest) {
  const queue = queueFromInput(ctx, input, request);
  authorize(ctx, request, 'SendMessage', queue.arn, queue);
  const list = entries(input);
  let total = 0;
  for (const entry of list) {
    try {
      total += readMessage(ctx, queue, entry, request.principal).size;
    } catch {
      // Judged again, per entry, below.
    }
  }
  if (total > queue.attributes.maximumMessageSize) {
    throw new AwsError('BatchRequestTooLong', `Batch requests cannot be longer than ${queue.attributes.maximumMessageSize} bytes.`);
  }
  return ctx.store.db.transaction(() =>
    batch(list, (entry) => sendResult(insertMessage(ctx, queue, readMessage(ctx, queue, entry, request.principal).message))),
  )();
}

const RECEIPT_PREFIX = 'LFSR1';

export function encodeReceipt(queue: string, seq: number, receipt: string): string {
  return RECEIPT_PREFIX + Buffer.from(`${queue}\n${seq}\n${receipt}`, 'utf8').toString('base64url');
}

/** The message a receipt handle names, when it still exists and the handle is its latest. */
function resolveReceipt(ctx: SqsContext, queue: Queue, handle: string): { row?: MessageRow; current: boolean } {
  const invalid = () => new AwsError('ReceiptHandleIsInvalid', `The input receipt handle "${handle}" is not a valid receipt handle.`);
  if (!handle.startsWith(RECEIPT_PREFIX)) throw invalid();
  const parts = Buffer.from(handle.slice(RECEIPT_PREFIX.length), 'base64url').toString('utf8').split('\n');
  const [name, seqText, receipt] = parts;
  if (parts.length !== 3 || name !== queue.name || !/^\d+$/.test(seqText) || !receipt) throw invalid();
  const row = ctx.store.getMessage(Number(seqText));
  if (!row || row.queue !== queue.name) return { current: false };
  return { row, current: row.receipt === receipt };
}

function deleteOne(ctx: SqsContext, queue: Queue, handle: string): void {
  const { row, current } = resolveReceipt(ctx, queue, handle);
  // A handle of a message since deleted, or received again by someone else,
  // succeeds without effect: the newer receiver owns the message now.
  if (row && current) ctx.store.deleteMessage(row.seq);
}

export function deleteMessage(ctx: SqsContext, input: Input, request: AwsRequest) {
  const queue = queueFromInput(ctx, input, request);
  authorize(ctx, request, 'DeleteMessage', queue.arn, queue);
  deleteOne(ctx, queue, requiredString(input, 'ReceiptHandle'));
  return {};
}

export function deleteMessageBatch(ctx: SqsContext, input: Input, request: AwsRequest) {
  const queue = queueFromInput(ctx, input, request);
  authorize(ctx, request, 'DeleteMessage', queue.arn, queue);
  const list = entries(input);
  return ctx.store.db.transaction(() =>
    batch(list, (entry) => {
      deleteOne(ctx, queue, requiredString(entry, 'ReceiptHandle'));
      return {};
    }),
  )();
}

function changeOne(ctx: SqsContext, queue: Queue, entry: Input): void {
  const handle = requiredString(entry, 'ReceiptHandle');
  const timeout = optionalInteger(entry, 'VisibilityTimeout', 0, 43200);
  if (timeout === undefined) throw new AwsError('MissingParameter', 'The request must contain the parameter VisibilityTimeout.');
  const { row, current } = resolveReceipt(ctx, queue, handle);
  const now = ctx.now();
  if (!row || !current) {
    throw new AwsError('InvalidParameterValue', `Value ${handle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.`);
  }
  if (row.visible_at <= now) throw new AwsError('MessageNotInflight', 'The message referred to is not in flight.');
  ctx.store.setVisibleAt(row.seq, now + timeout * 1000);
  // Parked receivers recompute when the next message becomes visible.
  ctx.waiters.notify(queue.name);
}

export function changeMessageVisibility(ctx: SqsContext, input: Input, request: AwsRequest) {
  const queue = queueFromInput(ctx, input, request);
  authorize(ctx, request, 'ChangeMessageVisibility', queue.arn, queue);
  changeOne(ctx, queue, input);
  return {};
}

export function changeMessageVisibilityBatch(ctx: SqsContext, input: Input, request: AwsRequest) {
  const queue = queueFromInput(ctx, input, request);
  authorize(ctx, request, 'ChangeMessageVisibility', queue.arn, queue);
  const list = entries(input);
  return ctx.store.db.transaction(() =>
    batch(list, (entry) => {
      changeOne(ctx, queue, entry);
      return {};
    }),
  )();
}

/** A fresh token for each receive, so older receipt handles can be recognised as stale. */
export function newReceiptToken(): string {
  return randomBytes(12).toString('base64url');
}
