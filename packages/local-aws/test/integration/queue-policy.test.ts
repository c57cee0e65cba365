import { PutBucketNotificationConfigurationCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsRefusal } from '../helpers/aws-errors.js';
import { startLocalS3, type StartedLocalAws } from '../helpers/local-aws.js';

/** Uses only the S3 and SQS APIs, so it runs against an endpoint of before queue policies too. */
describe('the queue policy decides whether S3 may deliver bucket notifications', () => {
  let env: StartedLocalAws;
  let s3: S3Client;
  let sqs: SQSClient;
  let queueUrl: string;
  let queueArn: string;

  const s3May = (bucket: string) =>
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 's3.amazonaws.com' },
          Action: 'sqs:SendMessage',
          Resource: queueArn,
          Condition: { ArnEquals: { 'aws:SourceArn': `arn:aws:s3:::${bucket}` }, StringEquals: { 'aws:SourceAccount': env.aws.accountId } },
        },
      ],
    });
  const notifyTo = (Bucket: string) =>
    s3.send(new PutBucketNotificationConfigurationCommand({ Bucket, NotificationConfiguration: { QueueConfigurations: [{ Id: 'all', QueueArn: queueArn, Events: ['s3:ObjectCreated:*'] }] } }));
  const received = async (WaitTimeSeconds: number) =>
    ((await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds, MaxNumberOfMessages: 10 }))).Messages ?? []).map((m) => JSON.parse(m.Body!));

  beforeAll(async () => {
    ({ env, s3 } = await startLocalS3(['dock', 'elsewhere']));
    sqs = new SQSClient({ endpoint: env.aws.url, region: env.aws.region, credentials: { ...env.aws.rootCredentials }, maxAttempts: 1 });
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'dock-events' }))).QueueUrl!;
    queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  });
  afterAll(async () => {
    sqs?.destroy();
    await env?.stop();
  });

  it('refuses a notification configuration toward a queue without a policy, or whose policy names another bucket', async () => {
    expect(await awsRefusal(notifyTo('dock'))).toEqual({ code: 'InvalidArgument', status: 400 });
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { Policy: s3May('elsewhere') } }));
    expect(await awsRefusal(notifyTo('dock'))).toEqual({ code: 'InvalidArgument', status: 400 });
    expect(await received(0)).toEqual([]);
  });

  it('delivers once the policy lets S3 in for the bucket, and drops the events its policy no longer allows', async () => {
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { Policy: s3May('dock') } }));
    await notifyTo('dock');
    expect((await received(1)).map((m) => m.Event)).toEqual(['s3:TestEvent']);
    await s3.send(new PutObjectCommand({ Bucket: 'dock', Key: 'one', Body: 'x' }));
    expect((await received(5)).map((m) => m.Records[0].s3.object.key)).toEqual(['one']);

    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { Policy: s3May('elsewhere') } }));
    // The write itself succeeds; only its event is dropped, as on AWS.
    await s3.send(new PutObjectCommand({ Bucket: 'dock', Key: 'two', Body: 'x' }));
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { Policy: s3May('dock') } }));
    await s3.send(new PutObjectCommand({ Bucket: 'dock', Key: 'three', Body: 'x' }));
    expect((await received(5)).map((m) => m.Records[0].s3.object.key)).toEqual(['three']);
  });
});
