import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { CreateKeyCommand, GenerateDataKeyCommand } from '@aws-sdk/client-kms';
import { CreateBucketCommand, ListBucketsCommand, PutBucketPolicyCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateQueueCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFactory, policy, refusal, type Clients } from '../helpers/clients.js';
import { startLocalAws, type StartedLocalAws } from '../helpers/local-aws.js';

const OTHER = '111111111111';

describe('more than one account: a principal of another account needs both sides to allow', () => {
  let env: StartedLocalAws;
  let root: Clients;
  let otherRoot: Clients;
  const { clientsFor, destroyAll } = clientFactory(() => env.aws);
  const main = () => env.aws.accountId;

  beforeAll(async () => {
    env = await startLocalAws({ extraAccounts: [OTHER] });
    root = clientsFor();
    otherRoot = clientsFor(env.aws.accountCredentials.get(OTHER)!);
    await root.s3.send(new CreateBucketCommand({ Bucket: 'vault' }));
  });
  afterAll(async () => {
    destroyAll();
    await env?.stop();
  });

  it('gives each account its own root, which STS names', async () => {
    expect([...env.aws.accountCredentials.keys()]).toEqual([main(), OTHER]);
    expect(await otherRoot.sts.send(new GetCallerIdentityCommand({}))).toMatchObject({ Account: OTHER, Arn: `arn:aws:iam::${OTHER}:root` });
    // Its credentials are kept in the data folder, owner-only, so a restart keeps them.
    const path = join(env.dataDir, `root-credentials-${OTHER}.json`);
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ accessKeyId: env.aws.accountCredentials.get(OTHER)!.accessKeyId });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it("refuses a write to the vault from another account's root, unless the bucket policy lets that account in", async () => {
    const write = () => otherRoot.s3.send(new PutObjectCommand({ Bucket: 'vault', Key: 'intruder', Body: 'x' }));
    expect((await refusal(write())).name).toBe('AccessDenied');
    expect((await refusal(otherRoot.s3.send(new CreateBucketCommand({ Bucket: 'theirs' })))).name).toBe('AccessDenied');
    expect((await otherRoot.s3.send(new ListBucketsCommand({}))).Buckets ?? []).toEqual([]);

    await root.s3.send(new PutBucketPolicyCommand({ Bucket: 'vault', Policy: policy({ Effect: 'Allow', Principal: { AWS: OTHER }, Action: 's3:PutObject', Resource: 'arn:aws:s3:::vault/*' }) }));
    await write();

    // A user of that account needs its own policy too; the bucket policy naming its account only delegates.
    await otherRoot.iam.send(new CreateUserCommand({ UserName: 'visitor' }));
    const { AccessKey } = await otherRoot.iam.send(new CreateAccessKeyCommand({ UserName: 'visitor' }));
    const visitor = clientsFor({ accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! });
    const visit = () => visitor.s3.send(new PutObjectCommand({ Bucket: 'vault', Key: 'visitor', Body: 'x' }));
    expect((await refusal(visit())).name).toBe('AccessDenied');
    await otherRoot.iam.send(new PutUserPolicyCommand({ UserName: 'visitor', PolicyName: 'p', PolicyDocument: policy({ Effect: 'Allow', Action: 's3:PutObject', Resource: '*' }) }));
    await visit();
    await root.s3.send(new PutBucketPolicyCommand({ Bucket: 'vault', Policy: policy({ Effect: 'Allow', Principal: { AWS: main() }, Action: 's3:PutObject', Resource: 'arn:aws:s3:::vault/*' }) }));
    expect((await refusal(visit())).name).toBe('AccessDenied');
  });

  it("another account's principals reach keys and queues only through their policies, and assume roles its trust policy names", async () => {
    const { KeyMetadata } = await root.kms.send(new CreateKeyCommand({}));
    expect((await refusal(otherRoot.kms.send(new GenerateDataKeyCommand({ KeyId: KeyMetadata!.Arn!, KeySpec: 'AES_256' })))).name).toBe('AccessDeniedException');
    expect((await refusal(otherRoot.kms.send(new CreateKeyCommand({})))).name).toBe('AccessDeniedException');

    const { QueueUrl } = await root.sqs.send(new CreateQueueCommand({ QueueName: 'events' }));
    expect((await refusal(otherRoot.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x' })))).name).toBe('AccessDenied');

    await root.iam.send(new CreateRoleCommand({ RoleName: 'mine', AssumeRolePolicyDocument: policy({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${main()}:root` }, Action: 'sts:AssumeRole' }) }));
    await root.iam.send(new CreateRoleCommand({ RoleName: 'shared', AssumeRolePolicyDocument: policy({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER}:root` }, Action: 'sts:AssumeRole' }) }));
    const assume = (role: string) => otherRoot.sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${main()}:role/${role}`, RoleSessionName: 'visit' }));
    expect((await refusal(assume('mine'))).name).toBe('AccessDenied');
    const { AssumedRoleUser } = await assume('shared');
    expect(AssumedRoleUser!.Arn).toBe(`arn:aws:sts::${main()}:assumed-role/shared/visit`);
  });
});
