import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { accountId, baseUrl, SqsHarness } from './harness.js';

describe('SQS queues', () => {
  let h: SqsHarness;
  beforeEach(async () => {
    h = await new SqsHarness().open();
  });
  afterEach(() => h.close());

  it('creates a queue idempotently and refuses different attributes', async () => {
    const url = await h.createQueue('jobs', { VisibilityTimeout: '60' });
    expect(url).toBe(`${baseUrl}/${accountId}/jobs`);
    expect(await h.createQueue('jobs', { VisibilityTimeout: '60' })).toBe(url);
    expect(await h.createQueue('jobs')).toBe(url);
    expect(await h.codeOf('CreateQueue', { QueueName: 'jobs', Attributes: { VisibilityTimeout: '30' } })).toBe('QueueNameExists');
    expect(await h.call('GetQueueUrl', { QueueName: 'jobs' })).toEqual({ QueueUrl: url });
    expect(await h.codeOf('GetQueueUrl', { QueueName: 'nope' })).toBe('QueueDoesNotExist');
  });

  it.each([
    ['a bad name', { QueueName: 'a b' }, 'InvalidParameterValue'],
    ['a FIFO name', { QueueName: 'a.fifo' }, 'InvalidParameterValue'],
    ['no name', {}, 'MissingParameter'],
    ['an unknown attribute', { QueueName: 'q', Attributes: { Colour: 'red' } }, 'InvalidAttributeName'],
    ['a FIFO attribute', { QueueName: 'q', Attributes: { FifoQueue: 'true' } }, 'InvalidAttributeName'],
    ['an out-of-range attribute', { QueueName: 'q', Attributes: { VisibilityTimeout: '43201' } }, 'InvalidAttributeValue'],
    ['a bad redrive policy', { QueueName: 'q', Attributes: { RedrivePolicy: '{"maxReceiveCount":0}' } }, 'InvalidAttributeValue'],
    ['a bad queue policy', { QueueName: 'q', Attributes: { Policy: '{"Statement":[]}' } }, 'InvalidAttributeValue'],
  ])('CreateQueue rejects %s', async (_name, input, code) => {
    expect(await h.codeOf('CreateQueue', input)).toBe(code);
  });

  it('lists queues by prefix and pages with MaxResults', async () => {
    for (const name of ['a-1', 'a-2', 'a-3', 'b-1']) await h.createQueue(name);
    expect((await h.call('ListQueues', { QueueNamePrefix: 'a-' })).QueueUrls).toHaveLength(3);
    const first = await h.call('ListQueues', { MaxResults: 2 });
    expect(first.QueueUrls).toEqual([`${baseUrl}/${accountId}/a-1`, `${baseUrl}/${accountId}/a-2`]);
    const second = await h.call('ListQueues', { MaxResults: 2, NextToken: first.NextToken });
    expect(second).toEqual({ QueueUrls: [`${baseUrl}/${accountId}/a-3`, `${baseUrl}/${accountId}/b-1`] });
    expect(await h.call('ListQueues', { QueueNamePrefix: 'zzz' })).toEqual({});
  });

  it('reports and updates attributes, with computed counts', async () => {
    const url = await h.createQueue('attrs');
    await h.call('SendMessage', { QueueUrl: url, MessageBody: 'one' });
    await h.call('SendMessage', { QueueUrl: url, MessageBody: 'two' });
    await h.call('SendMessage', { QueueUrl: url, MessageBody: 'later', DelaySeconds: 600 });
    await h.call('ReceiveMessage', { QueueUrl: url });
    await h.call('SetQueueAttributes', { QueueUrl: url, Attributes: { VisibilityTimeout: '120', ReceiveMessageWaitTimeSeconds: '5' } });
    const { Attributes } = await h.call('GetQueueAttributes', { QueueUrl: url, AttributeNames: ['All'] });
    expect(Attributes).toMatchObject({
      QueueArn: `arn:aws:sqs:us-east-1:${accountId}:attrs`,
      VisibilityTimeout: '120',
      ReceiveMessageWaitTimeSeconds: '5',
      DelaySeconds: '0',
      MessageRetentionPeriod: '345600',
      MaximumMessageSize: '262144',
      ApproximateNumberOfMessages: '1',
      ApproximateNumberOfMessagesNotVisible: '1',
      ApproximateNumberOfMessagesDelayed: '1',
    });
    expect(Number(Attributes.CreatedTimestamp)).toBeGreaterThan(1.7e9);
    const one = await h.call('GetQueueAttributes', { QueueUrl: url, AttributeNames: ['QueueArn'] });
    expect(one).toEqual({ Attributes: { QueueArn: `arn:aws:sqs:us-east-1:${accountId}:attrs` } });
    expect(await h.codeOf('GetQueueAttributes', { QueueUrl: url, AttributeNames: ['Colour'] })).toBe('InvalidAttributeName');
  });

  it('deletes and purges queues', async () => {
    const url = await h.createQueue('gone');
    await h.call('SendMessage', { QueueUrl: url, MessageBody: 'x' });
    await h.call('PurgeQueue', { QueueUrl: url });
    expect((await h.call('GetQueueAttributes', { QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] })).Attributes).toEqual({
      ApproximateNumberOfMessages: '0',
    });
    expect(await h.codeOf('PurgeQueue', { QueueUrl: url })).toBe('PurgeQueueInProgress');
    await h.call('DeleteQueue', { QueueUrl: url });
    expect(await h.codeOf('SendMessage', { QueueUrl: url, MessageBody: 'x' })).toBe('QueueDoesNotExist');
    expect(await h.codeOf('SendMessage', { QueueUrl: `${baseUrl}/111111111111/gone`, MessageBody: 'x' })).toBe('QueueDoesNotExist');
  });

  it.each([
    ['an unknown operation', 'Frobnicate', {}, 'InvalidAction'],
    ['a missing QueueUrl', 'SendMessage', { MessageBody: 'x' }, 'MissingParameter'],
  ])('rejects %s', async (_name, operation, input, code) => {
    expect(await h.codeOf(operation, input)).toBe(code);
  });
});
