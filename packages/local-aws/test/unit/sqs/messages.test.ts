import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Principal } from '../../../src/types.js';
import { awsRequest } from '../sts/request.js';
import { accountId, root, SqsHarness } from './harness.js';

const arn = (name: string) => `arn:aws:sqs:us-east-1:${accountId}:${name}`;

describe('SQS messages', () => {
  let h: SqsHarness;
  let url: string;
  beforeEach(async () => {
    h = await new SqsHarness().open();
    url = await h.createQueue('work');
  });
  afterEach(() => h.close());

  it('sends and receives with MD5s, selected attributes and system attributes', async () => {
    const sent = await h.call('SendMessage', {
      QueueUrl: url,
      MessageBody: 'hello',
      MessageAttributes: {
        eventType: { DataType: 'String', StringValue: 'FileAvailable' },
        'meta.size': { DataType: 'Number', StringValue: '12' },
        raw: { DataType: 'Binary', BinaryValue: Buffer.from([1, 2, 3]).toString('base64') },
      },
    });
    expect(sent.MD5OfMessageBody).toBe('5d41402abc4b2a76b9719d911017c592');
    expect(sent.MD5OfMessageAttributes).toMatch(/^[0-9a-f]{32}$/);
    const before = Date.now();
    const { Messages } = await h.call('ReceiveMessage', {
      QueueUrl: url,
      MessageAttributeNames: ['eventType', 'meta.*'],
      MessageSystemAttributeNames: ['All'],
    });
    expect(Messages).toHaveLength(1);
    const [message] = Messages;
    expect(message).toMatchObject({ MessageId: sent.MessageId, Body: 'hello', MD5OfBody: sent.MD5OfMessageBody });
    expect(Object.keys(message.MessageAttributes).sort()).toEqual(['eventType', 'meta.size']);
    expect(message.MD5OfMessageAttributes).not.toBe(sent.MD5OfMessageAttributes);
    expect(message.Attributes).toMatchObject({ ApproximateReceiveCount: '1', SenderId: accountId });
    expect(Number(message.Attributes.ApproximateFirstReceiveTimestamp)).toBeGreaterThanOrEqual(before);
    const all = await h.call('SendMessage', { QueueUrl: url, MessageBody: 'x', MessageAttributes: { a: { DataType: 'String', StringValue: 'b' } } });
    const again = (await h.call('ReceiveMessage', { QueueUrl: url, MessageAttributeNames: ['All'] })).Messages[0];
    expect(again.MD5OfMessageAttributes).toBe(all.MD5OfMessageAttributes);
    expect(again.Attributes).toBeUndefined();
  });

  it.each([
    ['an empty body', { MessageBody: '' }, 'MissingParameter'],
    ['a control character', { MessageBody: 'a\u0000b' }, 'InvalidMessageContents'],
    ['a body over the maximum size', { MessageBody: 'x'.repeat(262145) }, 'InvalidParameterValue'],
    ['a delay over 900 s', { MessageBody: 'x', DelaySeconds: 901 }, 'InvalidParameterValue'],
    ['an attribute without a value', { MessageBody: 'x', MessageAttributes: { a: { DataType: 'String' } } }, 'InvalidParameterValue'],
    ['a non-numeric Number', { MessageBody: 'x', MessageAttributes: { a: { DataType: 'Number', StringValue: 'ten' } } }, 'InvalidParameterValue'],
    ['a reserved attribute name', { MessageBody: 'x', MessageAttributes: { 'AWS.x': { DataType: 'String', StringValue: 'v' } } }, 'InvalidParameterValue'],
  ])('SendMessage rejects %s', async (_name, input, code) => {
    expect(await h.codeOf('SendMessage', { QueueUrl: url, ...input })).toBe(code);
  });

  it('re-delivers after a visibility change with a higher receive count, and ignores a stale handle', async () => {
    await h.call('SendMessage', { QueueUrl: url, MessageBody: 'retry me' });
    const first = (await h.call('ReceiveMessage', { QueueUrl: url })).Messages[0];
    expect(await h.call('ReceiveMessage', { QueueUrl: url })).toEqual({});
    await h.call('ChangeMessageVisibility', { QueueUrl: url, ReceiptHandle: first.ReceiptHandle, VisibilityTimeout: 0 });
    const second = (await h.call('ReceiveMessage', { QueueUrl: url, AttributeNames: ['ApproximateReceiveCount'] })).Messages[0];
    expect(second.Attributes).toEqual({ ApproximateReceiveCount: '2' });
    expect(second.ReceiptHandle).not.toBe(first.ReceiptHandle);
    // The first receiver finishing late must not delete the message from under the second.
    await h.call('DeleteMessage', { QueueUrl: url, ReceiptHandle: first.ReceiptHandle });
    expect(await h.codeOf('ChangeMessageVisibility', { QueueUrl: url, ReceiptHandle: first.ReceiptHandle, VisibilityTimeout: 0 })).toBe(
      'InvalidParameterValue',
    );
    await h.call('DeleteMessage', { QueueUrl: url, ReceiptHandle: second.ReceiptHandle });
    await h.call('DeleteMessage', { QueueUrl: url, ReceiptHandle: second.ReceiptHandle });
    const counts = await h.call('GetQueueAttributes', { QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] });
    expect(counts.Attributes).toEqual({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });
  });

  it.each(['junk', 'LFSR1', `LFSR1${Buffer.from('other\n1\nabc').toString('base64url')}`])('rejects the receipt handle %s', async (handle) => {
    expect(await h.codeOf('DeleteMessage', { QueueUrl: url, ReceiptHandle: handle })).toBe('ReceiptHandleIsInvalid');
  });

  it('refuses a visibility change on a message no longer in flight', async () => {
    await h.call('SendMessage', { QueueUrl: url, MessageBody: 'x' });
    const message = (await h.call('ReceiveMessage', { QueueUrl: url, VisibilityTimeout: 0 })).Messages[0];
    expect(await h.codeOf('ChangeMessageVisibility', { QueueUrl: url, ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: 5 })).toBe(
      'MessageNotInflight',
    );
  });

  it('moves a message to the dead-letter queue after maxReceiveCount receives', async () => {
    const dlq = await h.createQueue('work-dlq');
    await h.call('SetQueueAttributes', {
      QueueUrl: url,
      Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn('work-dlq'), maxReceiveCount: 2 }) },
    });
    const sent = await h.call('SendMessage', { QueueUrl: url, MessageBody: 'poison' });
    for (let attempt = 1; attempt <= 2; attempt++) {
      const message = (await h.call('ReceiveMessage', { QueueUrl: url })).Messages[0];
      await h.call('ChangeMessageVisibility', { QueueUrl: url, ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: 0 });
    }
    expect(await h.call('ReceiveMessage', { QueueUrl: url })).toEqual({});
    const dead = (await h.call('ReceiveMessage', { QueueUrl: dlq, AttributeNames: ['All'] })).Messages[0];
    expect(dead).toMatchObject({ MessageId: sent.MessageId, Body: 'poison', Attributes: { ApproximateReceiveCount: '1' } });
  });

  it('long polling returns as soon as a message is sent', async () => {
    const started = Date.now();
    const polling = h.call('ReceiveMessage', { QueueUrl: url, WaitTimeSeconds: 20 });
    setTimeout(() => void h.call('SendMessage', { QueueUrl: url, MessageBody: 'wake up' }), 50);
    const { Messages } = await polling;
    expect(Messages[0].Body).toBe('wake up');
    // Woken by the send: a receiver left to the end of its 20 s wait would come back only then.
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('long polling returns when a delayed message becomes visible, without a send', async () => {
    await h.call('SendMessage', { QueueUrl: url, MessageBody: 'soon', DelaySeconds: 1 });
    expect(await h.call('ReceiveMessage', { QueueUrl: url })).toEqual({});
    const started = Date.now();
    const { Messages } = await h.call('ReceiveMessage', { QueueUrl: url, WaitTimeSeconds: 20 });
    expect(Messages[0].Body).toBe('soon');
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('close() ends long polls with no messages', async () => {
    const polling = h.call('ReceiveMessage', { QueueUrl: url, WaitTimeSeconds: 20 });
    setTimeout(() => h.sqs.close(), 20);
    expect(await polling).toEqual({});
  });

  it('enqueue inside a caller transaction wakes a long poll after the commit', async () => {
    const s3 = { service: 's3.amazonaws.com', sourceArn: 'arn:aws:s3:::dock', sourceAccount: accountId };
    const policy = { Statement: [{ Effect: 'Allow', Principal: { Service: 's3.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: arn('work') }] };
    await h.call('SetQueueAttributes', { QueueUrl: url, Attributes: { Policy: JSON.stringify(policy) } });
    const polling = h.call('ReceiveMessage', { QueueUrl: url, WaitTimeSeconds: 10, MessageAttributeNames: ['All'] });
    await new Promise((resolve) => setTimeout(resolve, 20));
    h.db.transaction(() => h.sqs.enqueue(arn('work'), '{"Records":[]}', s3, { eventType: { DataType: 'String', StringValue: 'S3' } }))();
    const { Messages } = await polling;
    expect(Messages[0]).toMatchObject({ Body: '{"Records":[]}', MessageAttributes: { eventType: { DataType: 'String', StringValue: 'S3' } } });
    expect(() => h.sqs.enqueue(arn('missing'), 'x', s3)).toThrow(expect.objectContaining({ code: 'QueueDoesNotExist' }));
  });

  it('refuses a service the queue policy does not name, and any service when the queue has no policy', async () => {
    const s3 = { service: 's3.amazonaws.com', sourceArn: 'arn:aws:s3:::dock', sourceAccount: accountId };
    expect(() => h.sqs.enqueue(arn('work'), 'x', s3)).toThrow(expect.objectContaining({ code: 'AccessDenied' }));
    const onlyVault = {
      Statement: [{ Effect: 'Allow', Principal: { Service: 's3.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: arn('work'), Condition: { ArnEquals: { 'aws:SourceArn': 'arn:aws:s3:::vault' } } }],
    };
    await h.call('SetQueueAttributes', { QueueUrl: url, Attributes: { Policy: JSON.stringify(onlyVault) } });
    expect(() => h.sqs.enqueue(arn('work'), 'x', s3)).toThrow(expect.objectContaining({ code: 'AccessDenied' }));
    expect(() => h.sqs.enqueue(arn('work'), 'x', { ...s3, sourceArn: 'arn:aws:s3:::vault' })).not.toThrow();
  });

  it('keeps messages across a restart', async () => {
    await h.call('SendMessage', { QueueUrl: url, MessageBody: 'durable' });
    h.restart();
    expect((await h.call('ReceiveMessage', { QueueUrl: url })).Messages[0].Body).toBe('durable');
  });

  it('drops messages past the retention period', async () => {
    await h.call('SetQueueAttributes', { QueueUrl: url, Attributes: { MessageRetentionPeriod: '60' } });
    await h.call('SendMessage', { QueueUrl: url, MessageBody: 'old' });
    h.db.prepare('UPDATE sqs_messages SET sent_at = sent_at - 61000').run();
    expect(await h.call('ReceiveMessage', { QueueUrl: url })).toEqual({});
  });

  it('handles batches entry by entry', async () => {
    const sent = await h.call('SendMessageBatch', {
      QueueUrl: url,
      Entries: [
        { Id: 'a', MessageBody: 'one' },
        { Id: 'b', MessageBody: 'bad\u0001' },
        { Id: 'c', MessageBody: 'three', DelaySeconds: 0 },
      ],
    });
    expect(sent.Successful.map((entry: { Id: string }) => entry.Id)).toEqual(['a', 'c']);
    expect(sent.Failed).toEqual([{ Id: 'b', SenderFault: true, Code: 'InvalidMessageContents', Message: expect.any(String) }]);
    const { Messages } = await h.call('ReceiveMessage', { QueueUrl: url, MaxNumberOfMessages: 10 });
    expect(Messages.map((m: { Body: string }) => m.Body).sort()).toEqual(['one', 'three']);
    const changed = await h.call('ChangeMessageVisibilityBatch', {
      QueueUrl: url,
      Entries: [
        { Id: 'x', ReceiptHandle: Messages[0].ReceiptHandle, VisibilityTimeout: 100 },
        { Id: 'y', ReceiptHandle: 'junk', VisibilityTimeout: 100 },
      ],
    });
    expect(changed).toMatchObject({ Successful: [{ Id: 'x' }], Failed: [{ Id: 'y', Code: 'ReceiptHandleIsInvalid' }] });
    const deleted = await h.call('DeleteMessageBatch', {
      QueueUrl: url,
      Entries: Messages.map((m: { ReceiptHandle: string }, i: number) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })),
    });
    expect(deleted).toEqual({ Successful: [{ Id: 'd0' }, { Id: 'd1' }], Failed: [] });
  });

  it.each([
    ['no entries', [], 'EmptyBatchRequest'],
    ['eleven entries', Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, MessageBody: 'x' })), 'TooManyEntriesInBatchRequest'],
    ['repeated ids', [{ Id: 'a', MessageBody: 'x' }, { Id: 'a', MessageBody: 'y' }], 'BatchEntryIdsNotDistinct'],
    ['a bad id', [{ Id: 'a b', MessageBody: 'x' }], 'InvalidBatchEntryId'],
    ['too many bytes together', Array.from({ length: 2 }, (_, i) => ({ Id: `e${i}`, MessageBody: 'x'.repeat(200_000) })), 'BatchRequestTooLong'],
  ])('SendMessageBatch rejects %s', async (_name, entries, code) => {
    expect(await h.codeOf('SendMessageBatch', { QueueUrl: url, Entries: entries })).toBe(code);
  });

  it('authorizes sessions with their policies and the queue policy', async () => {
    const session = (actions: string[]): Principal => ({
      kind: 'assumed-role',
      accessKeyId: 'ASIAX',
      arn: `arn:aws:sts::${accountId}:assumed-role/worker/s`,
      roleArn: `arn:aws:iam::${accountId}:role/worker`,
      accountId,
      sessionName: 's',
      rolePolicies: [{ Statement: [{ Effect: 'Allow', Action: actions, Resource: arn('work') }] }],
      expiration: new Date(Date.now() + 60_000),
    });
    expect(await h.codeOf('SendMessage', { QueueUrl: url, MessageBody: 'x' }, session(['sqs:ReceiveMessage']))).toBe('AccessDenied');
    await h.call('SendMessage', { QueueUrl: url, MessageBody: 'x' }, session(['sqs:SendMessage']));
    expect(await h.codeOf('SendMessageBatch', { QueueUrl: url, Entries: [{ Id: 'a', MessageBody: 'x' }] }, session(['sqs:Send*']))).toBeUndefined();
    expect(await h.codeOf('SendMessage', { QueueUrl: url, MessageBody: 'x' }, { kind: 'anonymous' })).toBe('AccessDenied');
    const policy = { Statement: [{ Effect: 'Allow', Principal: '*', Action: 'sqs:SendMessage', Resource: arn('work') }] };
    await h.call('SetQueueAttributes', { QueueUrl: url, Attributes: { Policy: JSON.stringify(policy) } });
    expect(await h.codeOf('SendMessage', { QueueUrl: url, MessageBody: 'x' }, { kind: 'anonymous' })).toBeUndefined();
  });

  it('speaks the Query protocol', async () => {
    const send = new URLSearchParams({
      Action: 'SendMessage',
      Version: '2012-11-05',
      QueueUrl: url,
      MessageBody: 'a<b',
      'MessageAttribute.1.Name': 'timestamp',
      'MessageAttribute.1.Value.DataType': 'Number',
      'MessageAttribute.1.Value.StringValue': '1493147359900',
    });
    const sent = await h.sqs.handle(awsRequest(root), send);
    expect(sent.headers).toMatchObject({ 'content-type': 'text/xml' });
    expect(String(sent.body)).toContain('<MD5OfMessageAttributes>235c5c510d26fb653d073faed50ae77c</MD5OfMessageAttributes>');
    const received = await h.sqs.handle(
      awsRequest(root, { rawPath: `/${accountId}/work` }),
      new URLSearchParams({ Action: 'ReceiveMessage', 'AttributeName.1': 'All', 'MessageAttributeName.1': 'All' }),
    );
    const xml = String(received.body);
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<ReceiveMessageResponse xmlns="http:\/\/queue.amazonaws.com\/doc\/2012-11-05\/"><ReceiveMessageResult><Message>/);
    expect(xml).toContain('<Body>a&lt;b</Body>');
    expect(xml).toContain('<Attribute><Name>ApproximateReceiveCount</Name><Value>1</Value></Attribute>');
    expect(xml).toContain('<MessageAttribute><Name>timestamp</Name><Value><DataType>Number</DataType><StringValue>1493147359900</StringValue></Value></MessageAttribute>');
    const created = await h.sqs.handle(
      awsRequest(root),
      new URLSearchParams({ Action: 'CreateQueue', QueueName: 'q2', 'Attribute.1.Name': 'VisibilityTimeout', 'Attribute.1.Value': '5' }),
    );
    expect(String(created.body)).toContain(`<CreateQueueResult><QueueUrl>http://127.0.0.1:4566/${accountId}/q2</QueueUrl></CreateQueueResult>`);
  });
});
