import type { LocalDb } from '../db.js';

/** A message attribute as the JSON protocol carries it (binary values base64). */
export interface MessageAttributeValue {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
}

export type MessageAttributes = Record<string, MessageAttributeValue>;

export interface QueueRow {
  name: string;
  /** JSON object of the attributes set explicitly (string values, as on the wire). */
  attributes: string;
  tags: string;
  created_at: number;
  modified_at: number;
  purged_at: number | null;
}

export interface MessageRow {
  seq: number;
  queue: string;
  message_id: string;
  body: string;
  body_md5: string;
  attributes: string | null;
  attributes_md5: string | null;
  system_attributes: string | null;
  system_attributes_md5: string | null;
  sender_id: string;
  sent_at: number;
  visible_at: number;
  receive_count: number;
  first_received_at: number | null;
  receipt: string | null;
}

export type NewMessage = Omit<MessageRow, 'seq' | 'receive_count' | 'first_received_at' | 'receipt'>;

/**
 * SQLite persistence of queues and messages. Times are epoch milliseconds.
 * `visible_at` drives everything: a message is receivable once it has passed
 * (delay and visibility timeout both just move it), and `receipt` names the
 * latest receive so a stale receipt handle can be told apart.
 */
export function createSqsStore(db: LocalDb) {
  db.exec(`
    CREATE TABLE IF NOT EXISTS sqs_queues (
      name TEXT PRIMARY KEY,
      attributes TEXT NOT NULL,
      tags TEXT NOT NULL DEFAULT '{}',
      created_at INTEGER NOT NULL,
      modified_at INTEGER NOT NULL,
      purged_at INTEGER
    );
    CREATE TABLE IF NOT EXISTS sqs_messages (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      queue TEXT NOT NULL REFERENCES sqs_queues(name) ON DELETE CASCADE,
      message_id TEXT NOT NULL,
      body TEXT NOT NULL,
      body_md5 TEXT NOT NULL,
      attributes TEXT,
      attributes_md5 TEXT,
      system_attributes TEXT,
      system_attributes_md5 TEXT,
      sender_id TEXT NOT NULL,
      sent_at INTEGER NOT NULL,
      visible_at INTEGER NOT NULL,
      receive_count INTEGER NOT NULL DEFAULT 0,
      first_received_at INTEGER,
      receipt TEXT
    );
    CREATE INDEX IF NOT EXISTS sqs_messages_visible ON sqs_messages (queue, visible_at);
    CREATE INDEX IF NOT EXISTS sqs_messages_sent ON sqs_messages (queue, sent_at);
  `);

  const statements = {
    getQueue: db.prepare<[string], QueueRow>('SELECT * FROM sqs_queues WHERE name = ?'),
    listQueues: db.prepare<[string], QueueRow>("SELECT * FROM sqs_queues WHERE name LIKE ? ESCAPE '\\' ORDER BY name"),
    insertQueue: db.prepare(
      'INSERT INTO sqs_queues (name, attributes, tags, created_at, modified_at) VALUES (@name, @attributes, @tags, @now, @now)',
    ),
    updateQueueAttributes: db.prepare('UPDATE sqs_queues SET attributes = ?, modified_at = ? WHERE name = ?'),
    deleteQueue: db.prepare('DELETE FROM sqs_queues WHERE name = ?'),
    markPurged: db.prepare('UPDATE sqs_queues SET purged_at = ? WHERE name = ?'),
    purge: db.prepare('DELETE FROM sqs_messages WHERE queue = ?'),
    insertMessage: db.prepare(
      `INSERT INTO sqs_messages (queue, message_id, body, body_md5, attributes, attributes_md5, system_attributes,
        system_attributes_md5, sender_id, sent_at, visible_at)
       VALUES (@queue, @message_id, @body, @body_md5, @attributes, @attributes_md5, @system_attributes,
        @system_attributes_md5, @sender_id, @sent_at, @visible_at)`,
    ),
    expire: db.prepare('DELETE FROM sqs_messages WHERE queue = ? AND sent_at < ?'),
    visible: db.prepare<[string, number, number], MessageRow>(
      'SELECT * FROM sqs_messages WHERE queue = ? AND visible_at <= ? ORDER BY visible_at, seq LIMIT ?',
    ),
    nextVisibleAt: db.prepare<[string, number], { at: number | null }>(
      // >=, not >: a message that became visible in the same millisecond as the
      // receiver's last look must wake it now, not at the end of its long poll.
      'SELECT MIN(visible_at) AS at FROM sqs_messages WHERE queue = ? AND visible_at >= ?',
    ),
    markReceived: db.prepare(
      `UPDATE sqs_messages SET receive_count = receive_count + 1, first_received_at = COALESCE(first_received_at, @now),
        visible_at = @visible_at, receipt = @receipt WHERE seq = @seq`,
    ),
    moveToQueue: db.prepare(
      'UPDATE sqs_messages SET queue = ?, visible_at = ?, receive_count = 0, first_received_at = NULL, receipt = NULL WHERE seq = ?',
    ),
    getMessage: db.prepare<[number], MessageRow>('SELECT * FROM sqs_messages WHERE seq = ?'),
    deleteMessage: db.prepare('DELETE FROM sqs_messages WHERE seq = ?'),
    setVisibleAt: db.prepare('UPDATE sqs_messages SET visible_at = ? WHERE seq = ?'),
    release: db.prepare(
      'UPDATE sqs_messages SET visible_at = ?, receive_count = MAX(receive_count - 1, 0) WHERE seq = ? AND receipt = ?',
    ),
    counts: db.prepare<[{ now: number; oldest: number; queue: string }], { visible: number; inFlight: number; delayed: number }>(
      `SELECT COALESCE(SUM(visible_at <= @now), 0) AS visible,
              COALESCE(SUM(visible_at > @now AND receipt IS NOT NULL), 0) AS inFlight,
              COALESCE(SUM(visible_at > @now AND receipt IS NULL), 0) AS delayed
       FROM sqs_messages WHERE queue = @queue AND sent_at >= @oldest`,
    ),
  };

  return {
    db,
    getQueue: (name: string) => statements.getQueue.get(name),
    /** Queues whose name starts with `prefix`, in name order. */
    listQueues: (prefix: string) => statements.listQueues.all(`${prefix.replace(/[\\%_]/g, '\\$&')}%`),
    insertQueue: (name: string, attributes: Record<string, string>, tags: Record<string, string>, now: number) =>
      statements.insertQueue.run({ name, attributes: JSON.stringify(attributes), tags: JSON.stringify(tags), now }),
    updateQueueAttributes: (name: string, attributes: Record<string, string>, now: number) =>
      statements.updateQueueAttributes.run(JSON.stringify(attributes), now, name),
    deleteQueue: (name: string) => statements.deleteQueue.run(name),
    purge: (name: string, now: number) => {
      statements.purge.run(name);
      statements.markPurged.run(now, name);
    },
    insertMessage: (message: NewMessage) => statements.insertMessage.run(message),
    /** Drops messages older than the retention period. */
    expire: (queue: string, oldestSentAt: number) => statements.expire.run(queue, oldestSentAt),
    visible: (queue: string, now: number, limit: number) => statements.visible.all(queue, now, limit),
    nextVisibleAt: (queue: string, now: number) => statements.nextVisibleAt.get(queue, now)?.at ?? undefined,
    markReceived: (seq: number, now: number, visibleAt: number, receipt: string) =>
      statements.markReceived.run({ seq, now, visible_at: visibleAt, receipt }),
    moveToQueue: (seq: number, queue: string, now: number) => statements.moveToQueue.run(queue, now, seq),
    getMessage: (seq: number) => statements.getMessage.get(seq),
    deleteMessage: (seq: number) => statements.deleteMessage.run(seq),
    setVisibleAt: (seq: number, visibleAt: number) => statements.setVisibleAt.run(visibleAt, seq),
    /** Makes a received message visible again, unless someone received it since. */
    release: (seq: number, receipt: string, now: number) => statements.release.run(now, seq, receipt),
    counts: (queue: string, now: number, oldest: number) =>
      statements.counts.get({ now, oldest, queue }) ?? { visible: 0, inFlight: 0, delayed: 0 },
  };
}

export type SqsStore = ReturnType<typeof createSqsStore>;
