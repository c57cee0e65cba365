import {
  CreateBucketCommand,
  PutBucketCorsCommand,
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
  S3ServiceException,
  type BucketLocationConstraint,
  type S3Client,
} from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, SetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { EncryptedBucket } from '../files/model.js';

export interface BootstrapOptions {
  s3: S3Client;
  sqs: SQSClient;
  /** Buckets outside us-east-1 must name their region when created. */
  region: string;
  dock: EncryptedBucket;
  vault: EncryptedBucket;
  dockEventsQueue: string;
  fileEventsQueue: string;
  /** Visibility timeout of the dock-events queue. */
  visibilitySeconds: number;
  /** Receives before a dock event moves to the dead-letter queue. */
  maxReceives: number;
  /** The backstop: S3 deletes dock objects and aborts uploads older than this. */
  dockLifecycleDays: number;
  /** Web origins whose pages may upload into the dock (its CORS rule). */
  uploadOrigins: string[];
}

export interface BootstrappedResources {
  dockEventsQueueUrl: string;
  deadLetterQueueUrl: string;
  fileEventsQueueUrl: string;
}

/** Response headers a browser's upload must read: lib-storage needs each part's ETag; the SDK reads the checksum and encryption headers. */
const DOCK_EXPOSED_HEADERS = [
  'ETag',
  'x-amz-request-id',
  'x-amz-version-id',
  'x-amz-server-side-encryption',
  'x-amz-server-side-encryption-aws-kms-key-id',
  'x-amz-checksum-crc32',
  'x-amz-checksum-crc32c',
  'x-amz-checksum-crc64nvme',
  'x-amz-checksum-sha256',
  'x-amz-checksum-type',
];

/**
 * Creates what LFS needs when it is missing: both buckets with their default
 * encryption, both queues, and the dock's ObjectCreated notification.
 * Idempotent, so every start can run it.
 */
export async function bootstrapResources(options: BootstrapOptions): Promise<BootstrappedResources> {
  const { s3, sqs, dock, vault } = options;
  await Promise.all([ensureBucket(s3, dock.name, options.region), ensureBucket(s3, vault.name, options.region)]);
  await Promise.all([setDefaultEncryption(s3, dock), setDefaultEncryption(s3, vault)]);
  await s3.send(
    new PutBucketCorsCommand({
      Bucket: dock.name,
      CORSConfiguration: {
        CORSRules: [
          {
            ID: 'lfs-browser-uploads',
            AllowedOrigins: options.uploadOrigins,
            AllowedMethods: ['PUT', 'POST', 'GET', 'HEAD', 'DELETE'],
            AllowedHeaders: ['*'],
            ExposeHeaders: DOCK_EXPOSED_HEADERS,
            MaxAgeSeconds: 3600,
          },
        ],
      },
    }),
  );
  await s3.send(
    new PutBucketLifecycleConfigurationCommand({
      Bucket: dock.name,
      LifecycleConfiguration: {
        Rules: [
          {
            ID: 'lfs-dock-backstop',
            Status: 'Enabled',
            Filter: { Prefix: '' },
            Expiration: { Days: options.dockLifecycleDays },
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: options.dockLifecycleDays },
          },
        ],
      },
    }),
  );
  const [dockEvents, fileEvents, deadLetters] = await Promise.all([
    sqs.send(new CreateQueueCommand({ QueueName: options.dockEventsQueue })),
    sqs.send(new CreateQueueCommand({ QueueName: options.fileEventsQueue })),
    // Dock events that failed too often wait here for an operator (14 days, SQS's longest).
    sqs.send(new CreateQueueCommand({ QueueName: `${options.dockEventsQueue}-dlq`, Attributes: { MessageRetentionPeriod: '1209600' } })),
  ]);
  const dockEventsQueueUrl = dockEvents.QueueUrl!;
  const deadLetterArn = await queueArn(sqs, deadLetters.QueueUrl!);
  // Set rather than passed to CreateQueue, so a changed setting applies to an existing queue.
  await sqs.send(
    new SetQueueAttributesCommand({
      QueueUrl: dockEventsQueueUrl,
      Attributes: {
        VisibilityTimeout: String(options.visibilitySeconds),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: deadLetterArn, maxReceiveCount: options.maxReceives }),
      },
    }),
  );
  await s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: dock.name,
      NotificationConfiguration: {
        QueueConfigurations: [
          {
            Id: 'lfs-dock-object-created',
            QueueArn: await queueArn(sqs, dockEventsQueueUrl),
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'uploads/' }] } },
          },
        ],
      },
    }),
  );
  return { dockEventsQueueUrl, deadLetterQueueUrl: deadLetters.QueueUrl!, fileEventsQueueUrl: fileEvents.QueueUrl! };
}

async function queueArn(sqs: SQSClient, queueUrl: string): Promise<string> {
  const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
  return attributes.Attributes!.QueueArn!;
}

async function ensureBucket(s3: S3Client, bucket: string, region: string): Promise<void> {
  try {
    await s3.send(
      new CreateBucketCommand({
        Bucket: bucket,
        // us-east-1 is the one region S3 refuses to be named in a LocationConstraint.
        CreateBucketConfiguration: region === 'us-east-1' ? undefined : { LocationConstraint: region as BucketLocationConstraint },
      }),
    );
  } catch (error) {
    if (error instanceof S3ServiceException && (error.name === 'BucketAlreadyOwnedByYou' || error.name === 'BucketAlreadyExists')) return;
    throw error;
  }
}

async function setDefaultEncryption(s3: S3Client, bucket: EncryptedBucket): Promise<void> {
  await s3.send(
    new PutBucketEncryptionCommand({
      Bucket: bucket.name,
      ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: bucket.kmsKeyArn }, BucketKeyEnabled: false }],
      },
    }),
  );
}
