import {
  DeleteBucketPolicyCommand,
  DeletePublicAccessBlockCommand,
  GetBucketCorsCommand,
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketNotificationConfigurationCommand,
  GetBucketPolicyCommand,
  GetObjectCommand,
  GetPublicAccessBlockCommand,
  PutBucketCorsCommand,
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsRefusal } from '../helpers/aws-errors.js';
import { startLocalS3, type StartedLocalAws } from '../helpers/local-aws.js';

const publicRead = (bucket: string) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/*` }] });

const allBlocked = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };

describe('bucket settings provisioning writes and reads back', () => {
  let env: StartedLocalAws;
  let s3: S3Client;
  let anonymous: S3Client;

  beforeAll(async () => {
    ({ env, s3 } = await startLocalS3(['blocked', 'restricted', 'settings']));
    // Unsigned requests, as a stranger on the internet sends them.
    anonymous = env.s3({ credentials: { accessKeyId: '', secretAccessKey: '' }, signer: { sign: async (request) => request } });
  });
  afterAll(async () => {
    await env?.stop();
  });

  it('stores Block Public Access and echoes it; a bucket without it answers NoSuchPublicAccessBlockConfiguration', async () => {
    expect(await awsRefusal(s3.send(new GetPublicAccessBlockCommand({ Bucket: 'blocked' })))).toEqual({ code: 'NoSuchPublicAccessBlockConfiguration', status: 404 });
    await s3.send(new PutPublicAccessBlockCommand({ Bucket: 'blocked', PublicAccessBlockConfiguration: allBlocked }));
    expect((await s3.send(new GetPublicAccessBlockCommand({ Bucket: 'blocked' }))).PublicAccessBlockConfiguration).toEqual(allBlocked);
  });

  it('with BlockPublicPolicy refuses a public bucket policy and takes a pinned one', async () => {
    expect(await awsRefusal(s3.send(new PutBucketPolicyCommand({ Bucket: 'blocked', Policy: publicRead('blocked') })))).toEqual({ code: 'AccessDenied', status: 403 });
    const pinned = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::blocked/*', Condition: { StringEquals: { 'aws:PrincipalAccount': env.aws.accountId } } },
        { Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: 'arn:aws:s3:::blocked/*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
      ],
    });
    await s3.send(new PutBucketPolicyCommand({ Bucket: 'blocked', Policy: pinned }));
    expect(JSON.parse((await s3.send(new GetBucketPolicyCommand({ Bucket: 'blocked' }))).Policy!)).toEqual(JSON.parse(pinned));
    await s3.send(new DeleteBucketPolicyCommand({ Bucket: 'blocked' }));
    expect((await awsRefusal(s3.send(new GetBucketPolicyCommand({ Bucket: 'blocked' })))).code).toBe('NoSuchBucketPolicy');
  });

  it('with RestrictPublicBuckets refuses anonymous reads that a public policy allows', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'restricted', Key: 'k', Body: 'v' }));
    await s3.send(new PutBucketPolicyCommand({ Bucket: 'restricted', Policy: publicRead('restricted') }));
    expect(await (await anonymous.send(new GetObjectCommand({ Bucket: 'restricted', Key: 'k' }))).Body!.transformToString()).toBe('v');
    await s3.send(new PutPublicAccessBlockCommand({ Bucket: 'restricted', PublicAccessBlockConfiguration: { RestrictPublicBuckets: true } }));
    expect((await awsRefusal(anonymous.send(new GetObjectCommand({ Bucket: 'restricted', Key: 'k' })))).code).toBe('AccessDenied');
    await s3.send(new DeletePublicAccessBlockCommand({ Bucket: 'restricted' }));
    await anonymous.send(new GetObjectCommand({ Bucket: 'restricted', Key: 'k' }));
  });

  it('echoes default encryption with BucketKeyEnabled, CORS, lifecycle and notification configuration in their AWS shapes', async () => {
    const kmsKeyArn = env.aws.ensureKey('alias/settings').arn;
    await s3.send(
      new PutBucketEncryptionCommand({
        Bucket: 'settings',
        ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: kmsKeyArn }, BucketKeyEnabled: true }] },
      }),
    );
    expect((await s3.send(new GetBucketEncryptionCommand({ Bucket: 'settings' }))).ServerSideEncryptionConfiguration!.Rules).toEqual([
      { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: kmsKeyArn }, BucketKeyEnabled: true },
    ]);
    const CORSRules = [{ AllowedOrigins: ['https://app.example'], AllowedMethods: ['PUT'], AllowedHeaders: ['*'], ExposeHeaders: ['ETag'], MaxAgeSeconds: 600 }];
    await s3.send(new PutBucketCorsCommand({ Bucket: 'settings', CORSConfiguration: { CORSRules } }));
    expect((await s3.send(new GetBucketCorsCommand({ Bucket: 'settings' }))).CORSRules).toEqual(CORSRules);
    const rule = { ID: 'expire', Status: 'Enabled' as const, Filter: { Prefix: '' }, Expiration: { Days: 7 }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } };
    await s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket: 'settings', LifecycleConfiguration: { Rules: [rule] } }));
    expect((await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'settings' }))).Rules).toEqual([expect.objectContaining({ ID: 'expire', Status: 'Enabled', Expiration: { Days: 7 } })]);
    expect((await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: 'settings' }))).QueueConfigurations).toBeUndefined();
  });
});
