import { AwsError, isAwsError } from '../errors.js';
import type { AwsRequest } from '../types.js';
import type { ServiceSender } from '../sqs/index.js';
import type { S3Context } from './context.js';
import { asArray, parseXml, s3Document, type XmlNode } from '../xml.js';

/** One `<QueueConfiguration>`: which events of which keys go to which queue. */
export interface QueueConfiguration {
  Id: string;
  QueueArn: string;
  Events: string[];
  Prefix?: string;
  Suffix?: string;
}

const KNOWN_EVENTS = /^s3:(ObjectCreated|ObjectRemoved):(\*|Put|Post|Copy|CompleteMultipartUpload|Delete|DeleteMarkerCreated)$|^s3:(ObjectCreated|ObjectRemoved):\*$/;

/** Parses a NotificationConfiguration document (queues only; topics and Lambda are not supported). */
export function parseNotificationConfiguration(text: string): QueueConfiguration[] {
  const root = parseXml(text, 'NotificationConfiguration');
  if (root.TopicConfiguration !== undefined || root.CloudFunctionConfiguration !== undefined || root.LambdaFunctionConfiguration !== undefined) {
    throw new AwsError('InvalidArgument', 'Only QueueConfiguration destinations are supported by this endpoint.');
  }
  return asArray(root.QueueConfiguration as Record<string, unknown> | Record<string, unknown>[]).map((entry, index) => {
    const queueArn = entry.Queue;
    if (typeof queueArn !== 'string' || !queueArn.startsWith('arn:aws:sqs:')) throw new AwsError('InvalidArgument', 'A QueueConfiguration needs a Queue ARN.');
    const events = asArray(entry.Event as string | string[]);
    if (events.length === 0) throw new AwsError('InvalidArgument', 'A QueueConfiguration needs at least one Event.');
    for (const event of events) if (!KNOWN_EVENTS.test(event)) throw new AwsError('InvalidArgument', `The event is not supported for notifications: ${event}`);
    let prefix: string | undefined;
    let suffix: string | undefined;
    const filter = entry.Filter as { S3Key?: { FilterRule?: unknown } } | undefined;
    for (const rule of asArray(filter?.S3Key?.FilterRule as { Name?: string; Value?: string } | { Name?: string; Value?: string }[])) {
      const name = String(rule.Name ?? '').toLowerCase();
      if (name === 'prefix') prefix = String(rule.Value ?? '');
      else if (name === 'suffix') suffix = String(rule.Value ?? '');
      else throw new AwsError('InvalidArgument', 'FilterRule name must be either prefix or suffix');
    }
    return { Id: typeof entry.Id === 'string' && entry.Id ? entry.Id : `notification-${index + 1}`, QueueArn: queueArn, Events: events, Prefix: prefix, Suffix: suffix };
  });
}

export function renderNotificationConfiguration(configurations: QueueConfiguration[]): string {
  const body: XmlNode = {
    QueueConfiguration: configurations.map((c) => {
      const rules = [
        c.Prefix !== undefined ? { Name: 'Prefix', Value: c.Prefix } : undefined,
        c.Suffix !== undefined ? { Name: 'Suffix', Value: c.Suffix } : undefined,
      ].filter((r) => r !== undefined);
      return { Id: c.Id, Queue: c.QueueArn, Event: c.Events, Filter: rules.length ? { S3Key: { FilterRule: rules } } : undefined };
    }),
  };
  return s3Document('NotificationConfiguration', body);
}

/** S3 itself, as the queue policy sees it when S3 sends a bucket's events. */
function s3Sender(ctx: S3Context, bucket: string): ServiceSender {
  return { service: 's3.amazonaws.com', sourceArn: `arn:aws:s3:::${bucket}`, sourceAccount: ctx.accountId };
}

/**
 * Sends the `s3:TestEvent` AWS sends to each destination when the
 * configuration is put: a missing queue, or one whose policy does not let S3
 * send for this bucket, fails the put.
 */
export function sendTestEvents(ctx: S3Context, req: AwsRequest, bucket: string, configurations: QueueConfiguration[]): void {
  const body = JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Time: new Date().toISOString(), Bucket: bucket, RequestId: req.requestId, HostId: hostId(req) });
  for (const arn of new Set(configurations.map((c) => c.QueueArn))) {
    try {
      ctx.sqs.enqueue(arn, body, s3Sender(ctx, bucket));
    } catch (error) {
      if (isAwsError(error) && (error.code === 'QueueDoesNotExist' || error.code === 'AccessDenied')) {
        const why = error.code === 'QueueDoesNotExist' ? 'The destination queue does not exist' : 'Permissions on the destination queue do not allow S3 to publish notifications from this bucket';
        throw new AwsError('InvalidArgument', 'Unable to validate the following destination configurations', { ArgumentName: arn, ArgumentValue: why });
      }
      throw error;
    }
  }
}

export function hostId(req: AwsRequest): string {
  return Buffer.from(req.requestId).toString('base64');
}

function matches(configuration: QueueConfiguration, eventName: string, key: string): boolean {
  const [category] = eventName.split(':');
  const eventMatches = configuration.Events.some((pattern) => pattern === `s3:${eventName}` || pattern === `s3:${category}:*`);
  return eventMatches && key.startsWith(configuration.Prefix ?? '') && key.endsWith(configuration.Suffix ?? '');
}

/** Object keys in events are URL-encoded with spaces as `+`, as S3 writes them. */
export function eventKey(key: string): string {
  return encodeURIComponent(key).replace(/%2F/g, '/').replace(/%20/g, '+');
}

export interface ObjectEvent {
  eventName: 'ObjectCreated:Put' | 'ObjectCreated:Copy' | 'ObjectCreated:CompleteMultipartUpload' | 'ObjectRemoved:Delete';
  bucket: string;
  key: string;
  size?: number;
  etag?: string;
}

/**
 * Enqueues the event to every queue of the bucket's configurations (its
 * `notification` column: the parsed QueueConfigurations, as JSON) that
 * matches. Call it inside the SQLite transaction that writes the object row,
 * so the two commit together.
 */
export function notify(ctx: S3Context, req: AwsRequest, configurationsJson: string | null, event: ObjectEvent): void {
  if (!configurationsJson) return;
  const configurations = (JSON.parse(configurationsJson) as QueueConfiguration[]).filter((c) => matches(c, event.eventName, event.key));
  if (configurations.length === 0) return;
  const sequencer = ctx.nextSequencer();
  const principalId = principalIdOf(req);
  for (const configuration of configurations) {
    const record = {
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: ctx.region,
      eventTime: new Date().toISOString(),
      eventName: event.eventName,
      userIdentity: { principalId },
      requestParameters: { sourceIPAddress: req.sourceIp },
      responseElements: { 'x-amz-request-id': req.requestId, 'x-amz-id-2': hostId(req) },
      s3: {
        s3SchemaVersion: '1.0',
        configurationId: configuration.Id,
        bucket: { name: event.bucket, ownerIdentity: { principalId: ctx.accountId }, arn: `arn:aws:s3:::${event.bucket}` },
        object: {
          key: eventKey(event.key),
          ...(event.size !== undefined ? { size: event.size } : {}),
          ...(event.etag !== undefined ? { eTag: event.etag } : {}),
          sequencer,
        },
      },
    };
    try {
      ctx.sqs.enqueue(configuration.QueueArn, JSON.stringify({ Records: [record] }), s3Sender(ctx, event.bucket));
    } catch (error) {
      // A queue deleted, or its policy changed, after the configuration was put: AWS drops the event too.
      if (!(isAwsError(error) && (error.code === 'QueueDoesNotExist' || error.code === 'AccessDenied'))) throw error;
      ctx.logger.warn({ queueArn: configuration.QueueArn, bucket: event.bucket, reason: error.code }, 'notification not delivered; event dropped');
    }
  }
}

function principalIdOf(req: AwsRequest): string {
  switch (req.principal.kind) {
    case 'anonymous':
      return 'anonymous';
    case 'root':
      return `AWS:${req.principal.accountId}`;
    case 'assumed-role':
      return `AWS:${req.principal.accessKeyId}:${req.principal.sessionName}`;
    case 'user':
      return `AWS:${req.principal.userId}`;
    case 'service':
      return req.principal.service;
  }
}
