import {
  CreateBucketCommand,
  PutBucketEncryptionCommand,
  PutBucketNotificationConfigurationCommand,
  S3ServiceException,
  type S3Client,
} from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';

export interface BootstrapOptions {
  s3: S3Client;
  sqs: SQSClient;
  dockBucket: string;
  vaultBucket: string;
  dockKmsKeyArn: string;
  vaultKmsKeyArn: string;
  dockEventsQueue: string;
  fileEventsQueue: string;
  /** Visibility timeout of the dock-events queue. */
  visibilitySeconds: number;
}

export interface BootstrappedResources {
  dockEventsQueueUrl: string;
  fileEventsQueueUrl: string;
}

/**
 * Creates what LFS needs when it is missing: both buckets with their default
 * encryption, both queues, and the dock's ObjectCreated notification.
 * Idempotent, so every start can run it.
 */
export async function bootstrapResources(options: BootstrapOptions): Promise<BootstrappedResources> {
  const { s3, sqs } = options;
  await Promise.all([ensureBucket(s3, options.dockBucket), ensureBucket(s3, options.vaultBucket)]);
  await Promise.all([
    setDefaultEncryption(s3, options.dockBucket, options.dockKmsKeyArn),
    setDefaultEncryption(s3, options.vaultBucket, options.vaultKmsKeyArn),
  ]);
  const [dockEvents, fileEvents] = await Promise.all([
    sqs.send(
      new CreateQueueCommand({
        QueueName: options.dockEventsQueue,
        Attributes: { VisibilityTimeout: String(options.visibilitySeconds) },
      }),
    ),
    sqs.send(new CreateQueueCommand({ QueueName: options.fileEventsQueue })),
  ]);
  const dockEventsQueueUrl = dockEvents.QueueUrl!;
  const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dockEventsQueueUrl, AttributeNames: ['QueueArn'] }));
  await s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: options.dockBucket,
      NotificationConfiguration: {
        QueueConfigurations: [
          {
            Id: 'lfs-dock-object-created',
            QueueArn: attributes.Attributes!.QueueArn!,
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'uploads/' }] } },
          },
        ],
      },
    }),
  );
  return { dockEventsQueueUrl, fileEventsQueueUrl: fileEvents.QueueUrl! };
}

async function ensureBucket(s3: S3Client, bucket: string): Promise<void> {
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (error) {
    if (error instanceof S3ServiceException && (error.name === 'BucketAlreadyOwnedByYou' || error.name === 'BucketAlreadyExists')) return;
    throw error;
  }
}

async function setDefaultEncryption(s3: S3Client, bucket: string, kmsKeyArn: string): Promise<void> {
  await s3.send(
    new PutBucketEncryptionCommand({
      Bucket: bucket,
      ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: kmsKeyArn }, BucketKeyEnabled: false }],
      },
    }),
  );
}
