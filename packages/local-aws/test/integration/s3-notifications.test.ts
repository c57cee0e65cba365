import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf } from '../helpers/aws-errors.js';
import { startLocalS3, type StartedLocalAws } from '../helpers/local-aws.js';

describe('local S3: notifications and assumed-role access', () => {
  let env: StartedLocalAws;
  let s3: S3Client;
  let sqs: SQSClient;
  let queueUrl: string;

  async function nextMessage(): Promise<Record<string, unknown>> {
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 5, MaxNumberOfMessages: 1 }));
    expect(received.Messages?.length).toBe(1);
    return JSON.parse(received.Messages![0].Body!) as Record<string, unknown>;
  }

  beforeAll(async () => {
    ({ env, s3 } = await startLocalS3(['dock']));
    sqs = new SQSClient({ endpoint: env.aws.url, region: env.aws.region, credentials: env.aws.rootCredentials });
    // As on AWS, S3 may deliver only to a queue whose policy lets it, for this bucket.
    const policy = {
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 's3.amazonaws.com' },
          Action: 'sqs:SendMessage',
          Resource: `arn:aws:sqs:${env.aws.region}:${env.aws.accountId}:dock-events`,
          Condition: { ArnEquals: { 'aws:SourceArn': 'arn:aws:s3:::dock' }, StringEquals: { 'aws:SourceAccount': env.aws.accountId } },
        },
      ],
    };
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'dock-events', Attributes: { Policy: JSON.stringify(policy) } }))).QueueUrl!;
  });
  afterAll(async () => {
    sqs?.destroy();
    await env?.stop();
  });

  it('sends a test event, then an ObjectCreated event per matching object, in the AWS shape', async () => {
    const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: 'dock',
        NotificationConfiguration: {
          QueueConfigurations: [
            { Id: 'uploads', QueueArn: attributes.Attributes!.QueueArn, Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'uploads/' }] } } },
          ],
        },
      }),
    );
    expect(await nextMessage()).toMatchObject({ Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: 'dock' });

    await s3.send(new PutObjectCommand({ Bucket: 'dock', Key: 'elsewhere/x', Body: 'ignored' }));
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'dock', Key: 'uploads/a file' }));
    const part = await s3.send(new UploadPartCommand({ Bucket: 'dock', Key: 'uploads/a file', UploadId, PartNumber: 1, Body: 'content' }));
    const done = await s3.send(new CompleteMultipartUploadCommand({ Bucket: 'dock', Key: 'uploads/a file', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));
    const event = (await nextMessage()) as { Records: Record<string, any>[] };
    expect(event.Records).toHaveLength(1);
    const record = event.Records[0];
    expect(record).toMatchObject({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'us-east-1',
      eventName: 'ObjectCreated:CompleteMultipartUpload',
      s3: {
        s3SchemaVersion: '1.0',
        configurationId: 'uploads',
        bucket: { name: 'dock', arn: 'arn:aws:s3:::dock' },
        object: { key: 'uploads/a+file', size: 7, eTag: done.ETag!.replace(/"/g, '') },
      },
    });
    expect(record.s3.object.sequencer).toMatch(/^[0-9A-F]+$/);
    expect(record.responseElements['x-amz-request-id']).toBeTruthy();

    await s3.send(new PutObjectCommand({ Bucket: 'dock', Key: 'uploads/second', Body: 'x' }));
    const second = (await nextMessage()) as { Records: Record<string, any>[] };
    expect(second.Records[0].eventName).toBe('ObjectCreated:Put');
    expect(second.Records[0].s3.object.sequencer > record.s3.object.sequencer).toBe(true);
  });

  it('lets an assumed-role session write only what its role and session policy allow', async () => {
    const dockKey = env.aws.ensureKey('alias/dock').arn;
    const role = env.aws.putRole({
      name: 'uploader',
      policies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:PutObject', 'kms:GenerateDataKey', 'kms:Decrypt'], Resource: '*' }] }],
    });
    const sts = new STSClient({ endpoint: env.aws.url, region: env.aws.region, credentials: env.aws.rootCredentials });
    const session = await sts.send(
      new AssumeRoleCommand({
        RoleArn: role.arn,
        RoleSessionName: 'upload-1',
        DurationSeconds: 900,
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::dock/uploads/mine' },
            { Effect: 'Allow', Action: 'kms:GenerateDataKey', Resource: dockKey },
            { Effect: 'Deny', Action: 's3:PutObject', Resource: '*', Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption-aws-kms-key-id': dockKey } } },
          ],
        }),
      }),
    );
    sts.destroy();
    const c = session.Credentials!;
    const client = env.s3({ credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! } });
    await client.send(new PutObjectCommand({ Bucket: 'dock', Key: 'uploads/mine', Body: 'ok', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: dockKey }));
    expect((await errorOf(client.send(new PutObjectCommand({ Bucket: 'dock', Key: 'uploads/other', Body: 'no', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: dockKey })))).name).toBe('AccessDenied');
    expect((await errorOf(client.send(new PutObjectCommand({ Bucket: 'dock', Key: 'uploads/mine', Body: 'no key' })))).name).toBe('AccessDenied');
    expect((await errorOf(client.send(new GetObjectCommand({ Bucket: 'dock', Key: 'uploads/mine' })))).name).toBe('AccessDenied');
  });
});
