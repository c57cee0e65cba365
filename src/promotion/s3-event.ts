/** One object-created record of an S3 event notification. */
export interface DockObjectEvent {
  eventName: string;
  eventTime: Date;
  bucket: string;
  /** Decoded key (S3 sends it URL-encoded with `+` for spaces). */
  key: string;
  size: number;
  eTag?: string;
  sequencer?: string;
}

export type ParsedS3Message =
  | { kind: 'test' }
  | { kind: 'records'; records: DockObjectEvent[] }
  | { kind: 'invalid'; reason: string };

/** A record's time: Ceph's carry microseconds, which Date reads; an unreadable one counts as now. */
function timeOf(value: unknown): Date {
  const time = new Date(typeof value === 'string' ? value : Date.now());
  return Number.isNaN(time.getTime()) ? new Date() : time;
}

/**
 * Parses an S3 bucket notification (an SQS message body, or a push): every
 * record counts, not just the first. AWS's records (eventVersion 2.1,
 * eventSource aws:s3) and Ceph's (2.2, ceph:s3, an empty awsRegion, a
 * metadata list) share the fields read here; the ETag is kept without quotes.
 */
export function parseS3Message(body: string): ParsedS3Message {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { kind: 'invalid', reason: 'body is not JSON' };
  }
  if (!parsed || typeof parsed !== 'object') return { kind: 'invalid', reason: 'body is not an object' };
  const message = parsed as { Event?: unknown; Records?: unknown };
  if (message.Event === 's3:TestEvent') return { kind: 'test' };
  if (!Array.isArray(message.Records)) return { kind: 'invalid', reason: 'no Records' };
  const records: DockObjectEvent[] = [];
  for (const record of message.Records as Array<Record<string, any>>) {
    const s3 = record?.s3;
    if (typeof record?.eventName !== 'string' || typeof s3?.bucket?.name !== 'string' || typeof s3?.object?.key !== 'string') {
      return { kind: 'invalid', reason: 'record without eventName, bucket or key' };
    }
    records.push({
      eventName: record.eventName,
      eventTime: timeOf(record.eventTime),
      bucket: s3.bucket.name,
      key: decodeURIComponent(s3.object.key.replace(/\+/g, ' ')),
      size: Number(s3.object.size ?? 0),
      eTag: typeof s3.object.eTag === 'string' ? s3.object.eTag.replace(/^"|"$/g, '') : undefined,
      sequencer: s3.object.sequencer,
    });
  }
  return { kind: 'records', records };
}
