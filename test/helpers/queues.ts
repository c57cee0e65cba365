import { DeleteMessageCommand, GetQueueUrlCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import type { App } from '../../src/app.js';

/** An SQS client with the embedded endpoint's root credentials. */
export function rootSqs(app: App): SQSClient {
  const localAws = app.localAws!;
  return new SQSClient({ endpoint: localAws.url, region: localAws.region, credentials: localAws.rootCredentials });
}

export async function queueUrl(sqs: SQSClient, name: string): Promise<string> {
  return (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl!;
}

/**
 * Receives (and deletes) every message until a receive comes back empty.
 * Use it once the producer is quiet: it cannot tell "none yet" from "none".
 */
export async function drain(sqs: SQSClient, url: string): Promise<Message[]> {
  const all: Message[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageAttributeNames: ['All'] }),
    );
    if (Messages.length === 0) return all;
    for (const message of Messages) {
      all.push(message);
      await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle }));
    }
  }
}

/** The file-events messages, grouped as `{ fileId: [types...] }`. */
export function eventsByFile(messages: Message[]): Record<string, string[]> {
  const byFile: Record<string, string[]> = {};
  for (const message of messages) {
    const body = JSON.parse(message.Body!);
    (byFile[body.fileId] ??= []).push(body.type);
  }
  return byFile;
}

/**
 * How many announcements LFS has committed (its outbox, in the data folder's
 * SQLite) and not yet sent: once none, every event it will send is on the queue.
 */
export function unsentAnnouncements(dataDir: string): number {
  const db = new Database(join(dataDir, 'lfs.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS count FROM announcements').get() as { count: number }).count;
  } finally {
    db.close();
  }
}
