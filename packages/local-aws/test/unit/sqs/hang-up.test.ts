import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { awsRequest } from '../sts/request.js';
import { root, SqsHarness } from './harness.js';

/**
 * A long poll whose client hung up (the HTTP binding aborts the request's
 * signal when its socket closes) takes nothing: a message it took could
 * never be given and would hide for a whole visibility timeout. Over HTTP
 * the order of a hang-up on one connection and a send on another is the
 * kernel's; here it is the test's.
 */
describe('SQS long poll of a client that hung up', () => {
  let h: SqsHarness;
  let url: string;
  beforeEach(async () => {
    h = await new SqsHarness().open();
    url = await h.createQueue('hung-up', { VisibilityTimeout: '30' });
  });
  afterEach(() => h.close());

  const receive = (signal: AbortSignal) =>
    h.sqs.handle({
      ...awsRequest(root, {
        body: JSON.stringify({ QueueUrl: url, WaitTimeSeconds: 20 }),
        headers: { 'x-amz-target': 'AmazonSQS.ReceiveMessage', 'content-type': 'application/x-amz-json-1.0' },
      }),
      signal,
    });

  it('returns empty, and the next message goes to a live receiver', async () => {
    const gone = new AbortController();
    const abandoned = receive(gone.signal);
    gone.abort();
    expect(JSON.parse(String((await abandoned).body))).toEqual({});
    await h.call('SendMessage', { QueueUrl: url, MessageBody: 'for the living' });
    const { Messages } = await h.call('ReceiveMessage', { QueueUrl: url });
    expect(Messages?.[0].Body).toBe('for the living');
  });
});
