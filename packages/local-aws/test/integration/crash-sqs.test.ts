import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateQueueCommand, GetQueueUrlCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnLocalAws, type LocalAwsProcess } from '../helpers/local-aws-process.js';

const SENDERS = 8;
/** The kill comes once this many sends were acknowledged, with SENDERS more in flight. */
const KILL_AFTER = 400;

/** A body long enough that a torn write would show, and unique per message. */
const bodyOf = (n: number) => JSON.stringify({ n, pad: `${n}:`.repeat(200) });

describe('kill -9 during an SQS send storm', () => {
  let dataDir: string | undefined;
  let proc: LocalAwsProcess | undefined;
  const clients: SQSClient[] = [];

  const client = (p: LocalAwsProcess) => {
    const sqs = new SQSClient({ endpoint: p.url, region: p.region, credentials: p.credentials, maxAttempts: 1 });
    clients.push(sqs);
    return sqs;
  };

  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await proc?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('delivers every acknowledged message after restart, and nothing torn', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'lfs-crash-sqs-'));
    proc = await spawnLocalAws(dataDir);
    let sqs = client(proc);
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'storm' }));

    const acknowledged = new Set<string>();
    const attempted = new Set<string>();
    let next = 0;
    let crashed = false;
    let killed: Promise<void> | undefined;
    // Each sender sends one message after another until its send fails (the process is
    // gone), so every sender ends with one attempt that was never acknowledged.
    const sender = async () => {
      for (;;) {
        const body = bodyOf(next++);
        attempted.add(body);
        try {
          await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body, MessageAttributes: { n: { DataType: 'Number', StringValue: String(next) } } }));
        } catch {
          return;
        }
        acknowledged.add(body);
        if (acknowledged.size >= KILL_AFTER && !crashed) {
          crashed = true;
          killed = proc!.crash();
        }
      }
    };
    await Promise.all(Array.from({ length: SENDERS }, sender));
    await killed;
    expect(acknowledged.size).toBeGreaterThanOrEqual(KILL_AFTER);
    // The kill landed mid-storm: some sends never got their answer.
    expect(attempted.size).toBeGreaterThan(acknowledged.size);

    proc = await spawnLocalAws(dataDir);
    sqs = client(proc);
    const { QueueUrl: url } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'storm' }));
    const received = new Map<string, number>();
    // Messages stay invisible once received, so the queue runs dry after one pass.
    for (;;) {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], VisibilityTimeout: 300 }));
      if (Messages.length === 0) break;
      // The SDK has checked each body's MD5 against the one the endpoint stored.
      for (const m of Messages) received.set(m.Body!, (received.get(m.Body!) ?? 0) + 1);
    }
    const lost = [...acknowledged].filter((body) => !received.has(body));
    expect(lost).toEqual([]);
    const unknown = [...received.keys()].filter((body) => !attempted.has(body));
    expect(unknown).toEqual([]);
    // At most the sends in flight at the kill may have landed without an acknowledgement.
    expect(received.size - acknowledged.size).toBeLessThanOrEqual(SENDERS);
  });
});
