import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { md5OfAttributes } from '../../src/sqs/md5.js';
import { startLocalAws, type StartedLocalAws } from '../helpers/local-aws.js';

/**
 * A long poll's whole wait, 20 s (the longest SQS allows): one woken by an
 * event returns well before it, on any machine, however busy, so returning
 * within it tells "woken" from "waited it out" without measuring speed.
 */
const WHOLE_WAIT = 20_000;

describe('SQS against the embedded endpoint', () => {
  let local: StartedLocalAws;
  let sqs: SQSClient;

  const client = () => new SQSClient({ endpoint: local.aws.url, region: local.aws.region, credentials: local.aws.rootCredentials, maxAttempts: 1 });
  const createQueue = async (name: string, attributes: Record<string, string> = {}) =>
    (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl!;

  beforeAll(async () => {
    local = await startLocalAws();
    sqs = client();
  });

  afterAll(async () => {
    sqs.destroy();
    await local.stop();
  });

  it('sends and receives with the MD5s the SDK checks', async () => {
    const url = await createQueue('basic');
    expect(url).toBe(`${local.aws.url}/${local.aws.accountId}/basic`);
    const attributes = { eventType: { DataType: 'String', StringValue: 'FileAvailable' } };
    // The SDK recomputes MD5OfMessageBody on send and receive and throws on a mismatch.
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'héllo wörld ✓', MessageAttributes: attributes }));
    expect(sent.MD5OfMessageAttributes).toBe(md5OfAttributes(attributes));
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['SentTimestamp'] }),
    );
    expect(Messages).toHaveLength(1);
    expect(Messages![0]).toMatchObject({ MessageId: sent.MessageId, Body: 'héllo wörld ✓', MessageAttributes: attributes });
    expect(Number(Messages![0].Attributes!.SentTimestamp)).toBeGreaterThan(Date.now() - 10_000);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: Messages![0].ReceiptHandle }));
    const batch = await sqs.send(
      new SendMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: 'a', MessageBody: 'one' }, { Id: 'b', MessageBody: 'two' }] }),
    );
    expect(batch.Successful).toHaveLength(2);
  });

  it('names errors the way the SDK expects', async () => {
    const error = await sqs.send(new GetQueueUrlCommand({ QueueName: 'missing' })).catch((e: Error) => e);
    expect(error).toMatchObject({ name: 'QueueDoesNotExist' });
    const url = await createQueue('errors');
    const handle = await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: 'junk' })).catch((e: Error) => e);
    expect(handle).toMatchObject({ name: 'ReceiptHandleIsInvalid' });
  });

  it('long polling returns promptly when a message arrives during the wait', async () => {
    const url = await createQueue('long-poll');
    const started = Date.now();
    const receiving = sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 }));
    setTimeout(() => void sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'now' })), 100);
    const { Messages } = await receiving;
    expect(Messages?.[0].Body).toBe('now');
    // Woken by the send: a receiver left to the end of its wait would come back only after 20 s.
    expect(Date.now() - started).toBeLessThan(WHOLE_WAIT);
  });

  it('re-delivers after the visibility timeout with ApproximateReceiveCount 2', async () => {
    const url = await createQueue('visibility', { VisibilityTimeout: '1' });
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'again' }));
    const first = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }));
    expect(first.Messages).toHaveLength(1);
    // Invisible now; the long poll returns once the timeout lapses, not at the end of the wait.
    const started = Date.now();
    const second = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
    expect(Date.now() - started).toBeLessThan(WHOLE_WAIT);
    expect(second.Messages![0]).toMatchObject({ Body: 'again', Attributes: { ApproximateReceiveCount: '2' } });
  });

  it('wakes a waiting long poll when ChangeMessageVisibility brings a message back sooner', async () => {
    const url = await createQueue('shortened', { VisibilityTimeout: '30' });
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'soon' }));
    const first = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }));
    // Parked while the message is hidden for 30 s, past the end of its 20 s wait: only a re-armed timer brings it.
    const receiving = sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: first.Messages![0].ReceiptHandle, VisibilityTimeout: 1 }));
    expect((await receiving).Messages?.[0].Body).toBe('soon');
  });

  // A long poll whose client hung up takes nothing: test/unit/sqs/hang-up.test.ts (over HTTP the hang-up and a send race).

  it('gives back at once, uncounted, the messages of a response its client never got', async () => {
    const url = await createQueue('undelivered', { VisibilityTimeout: '30' });
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'second chance' }));
    const abort = new AbortController();
    // The response is on its way when the client hangs up: abort as soon as the request is sent.
    const lost = sqs.send(new ReceiveMessageCommand({ QueueUrl: url }), { abortSignal: abort.signal });
    abort.abort();
    await expect(lost).rejects.toThrow();
    // Given back, it is visible again well within this wait; kept, it would stay hidden for 30 s.
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }),
    );
    expect(Messages?.[0]).toMatchObject({ Body: 'second chance', Attributes: { ApproximateReceiveCount: '1' } });
  });

  it('redrives to the dead-letter queue after maxReceiveCount', async () => {
    const dlq = await createQueue('redrive-dlq');
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ['QueueArn'] }));
    const url = await createQueue('redrive', { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: Attributes!.QueueArn, maxReceiveCount: 1 }) });
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'poison' }));
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }));
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: Messages![0].ReceiptHandle, VisibilityTimeout: 0 }));
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages).toBeUndefined();
    const dead = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq, WaitTimeSeconds: 1 }));
    expect(dead.Messages?.[0].Body).toBe('poison');
  });

  it('keeps a sent message across an endpoint restart', async () => {
    await createQueue('durable');
    await sqs.send(new SendMessageCommand({ QueueUrl: await queueUrl('durable'), MessageBody: 'still here' }));
    await local.restart();
    sqs.destroy();
    sqs = client();
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: await queueUrl('durable') }));
    expect(Messages?.[0].Body).toBe('still here');
  });

  async function queueUrl(name: string): Promise<string> {
    return (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl!;
  }
});
