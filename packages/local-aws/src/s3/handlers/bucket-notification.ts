import { readAll } from '../../auth/index.js';
import { bucketArn, authorize } from '../authz.js';
import type { S3Handler } from '../context.js';
import { parseNotificationConfiguration, renderNotificationConfiguration, sendTestEvents, type QueueConfiguration } from '../notifications.js';
import { requireBucket } from '../objects.js';
import { xmlContentType } from '../../xml.js';

export const putBucketNotificationConfiguration: S3Handler = async (ctx, req, { bucket }) => {
  const row = requireBucket(ctx, bucket);
  authorize(ctx, req, 's3:PutBucketNotification', bucketArn(bucket), row);
  const configurations = parseNotificationConfiguration((await readAll(req.body, 256 * 1024)).toString('utf8'));
  ctx.db.transaction(() => {
    sendTestEvents(ctx, req, bucket, configurations);
    ctx.store.setBucketSetting(bucket, 'notification', configurations.length ? JSON.stringify(configurations) : null);
  })();
  return { status: 200 };
};

export const getBucketNotificationConfiguration: S3Handler = async (ctx, req, { bucket }) => {
  const row = requireBucket(ctx, bucket);
  authorize(ctx, req, 's3:GetBucketNotification', bucketArn(bucket), row);
  const configurations = row.notification ? (JSON.parse(row.notification) as QueueConfiguration[]) : [];
  return { status: 200, headers: xmlContentType, body: renderNotificationConfiguration(configurations) };
};
