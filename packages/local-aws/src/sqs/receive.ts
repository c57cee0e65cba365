import type { AwsRequest } from '../types.js';
import { authorize, loadQueue, queueFromInput, queueNameFromArn, type Input, type Queue, type SqsContext } from './context.js';
import { optionalInteger, stringList } from './input.js';
import { md5OfAttributes } from './md5.js';
import { encodeReceipt, newReceiptToken } from './messages.js';
import type { MessageAttributes, MessageRow } from './store.js';

const SYSTEM_ATTRIBUTES = ['SenderId', 'SentTimestamp', 'ApproximateReceiveCount', 'ApproximateFirstReceiveTimestamp', 'AWSTraceHeader'];

interface Received {
  row: MessageRow;
  receipt: string;
}

/**
 * Takes up to `max` visible messages off the queue in one transaction: expired
 * ones are dropped, ones received too often move to the dead-letter queue,
 * the rest become invisible for `visibilityTimeout` under a new receipt.
 */
function takeVisible(ctx: SqsContext, queue: Queue, max: number, visibilityTimeout: number): Received[] {
  return ctx.store.db.transaction(() => {
    const now = ctx.now();
    ctx.store.expire(queue.name, now - queue.attributes.retentionSeconds * 1000);
    const redrive = queue.attributes.redrive;
    const deadLetterQueue = redrive ? queueNameFromArn(ctx, redrive.deadLetterTargetArn) : undefined;
    const canRedrive = deadLetterQueue !== undefined && deadLetterQueue !== queue.name && ctx.store.getQueue(deadLetterQueue) !== undefined;
    const taken: Received[] = [];
    let movedAny = false;
    // A pass that moved candidates to the DLQ leaves room: look again. (Only
    // then: with VisibilityTimeout 0 the taken ones are still "visible".)
    for (let moved = true; moved && taken.length < max; ) {
      moved = false;
      for (const row of ctx.store.visible(queue.name, now, max - taken.length)) {
        if (canRedrive && row.receive_count >= redrive!.maxReceiveCount) {
          ctx.store.moveToQueue(row.seq, deadLetterQueue!, now);
          moved = movedAny = true;
          continue;
        }
        const receipt = newReceiptToken();
        const visibleAt = now + visibilityTimeout * 1000;
        ctx.store.markReceived(row.seq, now, visibleAt, receipt);
        taken.push({
          row: { ...row, receive_count: row.receive_count + 1, first_received_at: row.first_received_at ?? now, visible_at: visibleAt, receipt },
          receipt,
        });
      }
    }
    if (movedAny) ctx.waiters.notify(deadLetterQueue!);
    return taken;
  })();
}

/** `All`, `.*`, exact names and `prefix.*` select message attributes. */
function selectAttributes(stored: MessageAttributes, patterns: string[]): MessageAttributes {
  const selected: MessageAttributes = {};
  for (const [name, value] of Object.entries(stored)) {
    const wanted = patterns.some(
      (pattern) => pattern === 'All' || pattern === '.*' || pattern === name || (pattern.endsWith('.*') && name.startsWith(pattern.slice(0, -1))),
    );
    if (wanted) selected[name] = value;
  }
  return selected;
}

function systemAttributes(row: MessageRow, names: string[]): Record<string, string> | undefined {
  const all = names.includes('All');
  const values: Record<string, string | undefined> = {
    SenderId: row.sender_id,
    SentTimestamp: String(row.sent_at),
    ApproximateReceiveCount: String(row.receive_count),
    ApproximateFirstReceiveTimestamp: row.first_received_at === null ? undefined : String(row.first_received_at),
    AWSTraceHeader: row.system_attributes ? (JSON.parse(row.system_attributes) as MessageAttributes).AWSTraceHeader?.StringValue : undefined,
  };
  const result: Record<string, string> = {};
  for (const name of SYSTEM_ATTRIBUTES) {
    const value = values[name];
    if ((all || names.includes(name)) && value !== undefined) result[name] = value;
  }
  return Object.keys(result).length > 0 ? result : undefined;
}

function toMessage(ctx: SqsContext, queue: Queue, { row, receipt }: Received, systemNames: string[], attributeNames: string[]) {
  const stored = row.attributes ? (JSON.parse(row.attributes) as MessageAttributes) : {};
  const selected = selectAttributes(stored, attributeNames);
  const md5 = md5OfAttributes(selected);
  const attributes = systemAttributes(row, systemNames);
  return {
    MessageId: row.message_id,
    ReceiptHandle: encodeReceipt(queue.name, row.seq, receipt),
    MD5OfBody: row.body_md5,
    Body: row.body,
    ...(attributes ? { Attributes: attributes } : {}),
    ...(md5 ? { MD5OfMessageAttributes: md5, MessageAttributes: selected } : {}),
  };
}

/**
 * ReceiveMessage with long polling: with nothing visible it parks until a send
 * (or a DLQ move, or a visibility reset) wakes it, or until the next message
 * becomes visible on its own, and returns as soon as it has one.
 */
/** Where an operation's output carries its `onUndelivered` hook (a symbol, so it never reaches the wire). */
export const undelivered = Symbol('undelivered');

export async function receiveMessage(ctx: SqsContext, input: Input, request: AwsRequest) {
  let queue = queueFromInput(ctx, input, request);
  authorize(ctx, request, 'ReceiveMessage', queue.arn, queue);
  const max = optionalInteger(input, 'MaxNumberOfMessages', 1, 10) ?? 1;
  const waitSeconds = optionalInteger(input, 'WaitTimeSeconds', 0, 20) ?? queue.attributes.waitTimeSeconds;
  const visibility = optionalInteger(input, 'VisibilityTimeout', 0, 43200);
  const systemNames = [...stringList(input, 'AttributeNames'), ...stringList(input, 'MessageSystemAttributeNames')];
  const attributeNames = stringList(input, 'MessageAttributeNames');
  const deadline = ctx.now() + waitSeconds * 1000;

  for (;;) {
    // A receiver that hung up must not take messages it can never be given (they would hide for a whole visibility timeout).
    // Nor does a closing endpoint hand out anything new.
    if (request.signal?.aborted || ctx.waiters.closed) return {};
    const taken = takeVisible(ctx, queue, max, visibility ?? queue.attributes.visibilityTimeout);
    if (taken.length > 0) {
      const name = queue.name;
      // A response that never reaches its client gives its messages back at once, uncounted.
      const release = () => {
        try {
          for (const { row, receipt } of taken) ctx.store.release(row.seq, receipt, ctx.now());
          ctx.waiters.notify(name);
        } catch {
          // The endpoint closed meanwhile: the messages reappear after their visibility timeout instead.
        }
      };
      return { Messages: taken.map((item) => toMessage(ctx, queue, item, systemNames, attributeNames)), [undelivered]: release };
    }
    const now = ctx.now();
    if (now >= deadline || ctx.waiters.closed) return {};
    const next = ctx.store.nextVisibleAt(queue.name, now);
    await ctx.waiters.wait(queue.name, Math.min(deadline, next ?? deadline) - now, request.signal);
    // The queue may have been changed or deleted while we waited.
    const reloaded = loadQueue(ctx, queue.name);
    if (!reloaded) return {};
    queue = reloaded;
  }
}
