import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../helpers/stack.js';

/**
 * The buckets' own policies hold whatever a principal's IAM policy allows:
 * the vault refuses everyone but LFS, and neither bucket takes a write that
 * names an encryption other than SSE-KMS with its own key.
 */
describe('the bucket policies provisioning sets', () => {
  let stack: Stack;
  let intruder: S3Client;
  let sts: STSClient;

  beforeAll(async () => {
    stack = await startStack();
    const localAws = stack.app.localAws!;
    // A principal of the account whose own policy allows everything in S3.
    localAws.putRole({ name: 'intruder', policies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:*', 'kms:*'], Resource: '*' }] }] });
    sts = new STSClient({ endpoint: localAws.url, region: localAws.region, credentials: localAws.rootCredentials });
    const { Credentials: c } = await sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::000000000000:role/intruder', RoleSessionName: 'intruder' }));
    intruder = new S3Client({
      endpoint: localAws.url,
      region: localAws.region,
      forcePathStyle: true,
      maxAttempts: 1,
      credentials: { accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken! },
    });
  });
  afterAll(async () => {
    intruder?.destroy();
    sts?.destroy();
    await stack?.stop();
  });

  it('the vault refuses a write from any principal but LFS', async () => {
    await expect(intruder.send(new PutObjectCommand({ Bucket: 'lfs-vault', Key: 'files/forged', Body: 'x' }))).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  it('the dock refuses a write naming AES256 or another KMS key, and takes one naming the dock key', async () => {
    const put = (extra: object) => intruder.send(new PutObjectCommand({ Bucket: 'lfs-dock', Key: 'uploads/probe', Body: 'x', ...extra }));
    await expect(put({ ServerSideEncryption: 'AES256' })).rejects.toMatchObject({ name: 'AccessDenied' });
    const vaultKey = stack.app.localAws!.ensureKey('alias/lfs-vault').arn;
    await expect(put({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: vaultKey })).rejects.toMatchObject({ name: 'AccessDenied' });
    const dockKey = stack.app.localAws!.ensureKey('alias/lfs-dock').arn;
    await expect(put({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: dockKey })).resolves.toBeDefined();
  });
});
