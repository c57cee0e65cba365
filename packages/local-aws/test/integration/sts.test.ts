import { GetCallerIdentityCommand, STSClient, AssumeRoleCommand, type STSClientConfig } from '@aws-sdk/client-sts';
import { CreateQueueCommand, SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalAws, type StartedLocalAws } from '../helpers/local-aws.js';

describe('STS against the embedded endpoint', () => {
  let local: StartedLocalAws;
  let roleArn: string;
  const clients: { destroy(): void }[] = [];

  const sts = (config: Partial<STSClientConfig> = {}) => {
    const client = new STSClient({ endpoint: local.aws.url, region: local.aws.region, credentials: local.aws.rootCredentials, maxAttempts: 1, ...config });
    clients.push(client);
    return client;
  };
  const assume = (input: Partial<ConstructorParameters<typeof AssumeRoleCommand>[0]> = {}) =>
    sts().send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'test-session', ...input }));
  const errorName = async (promise: Promise<unknown>) => {
    try {
      await promise;
    } catch (error) {
      return (error as Error).name;
    }
    return undefined;
  };

  beforeAll(async () => {
    local = await startLocalAws();
    const queueArn = `arn:aws:sqs:${local.aws.region}:${local.aws.accountId}:sts-*`;
    roleArn = local.aws.putRole({
      name: 'worker',
      policies: [{ Statement: [{ Effect: 'Allow', Action: ['sqs:SendMessage', 'sqs:GetQueueUrl'], Resource: queueArn }] }],
      maxSessionDurationSeconds: 3600,
    }).arn;
  });

  afterAll(async () => {
    for (const client of clients) client.destroy();
    await local.stop();
  });

  it('AssumeRole returns credentials the endpoint accepts, limited by role and session policy', async () => {
    const { Credentials, AssumedRoleUser } = await assume({
      DurationSeconds: 900,
      Policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: `arn:aws:sqs:${local.aws.region}:${local.aws.accountId}:sts-allowed` }],
      }),
    });
    expect(AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${local.aws.accountId}:assumed-role/worker/test-session`);
    expect(Credentials?.AccessKeyId).toMatch(/^ASIA/);
    expect(Credentials!.Expiration!.getTime() - Date.now()).toBeGreaterThan(890_000);
    const credentials = {
      accessKeyId: Credentials!.AccessKeyId!,
      secretAccessKey: Credentials!.SecretAccessKey!,
      sessionToken: Credentials!.SessionToken!,
    };
    const identity = await sts({ credentials }).send(new GetCallerIdentityCommand({}));
    expect(identity).toMatchObject({ Account: local.aws.accountId, Arn: AssumedRoleUser!.Arn, UserId: AssumedRoleUser!.AssumedRoleId });

    const rootSqs = new SQSClient({ endpoint: local.aws.url, region: local.aws.region, credentials: local.aws.rootCredentials });
    const sessionSqs = new SQSClient({ endpoint: local.aws.url, region: local.aws.region, credentials, maxAttempts: 1 });
    clients.push(rootSqs, sessionSqs);
    const allowed = (await rootSqs.send(new CreateQueueCommand({ QueueName: 'sts-allowed' }))).QueueUrl!;
    const other = (await rootSqs.send(new CreateQueueCommand({ QueueName: 'sts-other' }))).QueueUrl!;
    await sessionSqs.send(new SendMessageCommand({ QueueUrl: allowed, MessageBody: 'from the session' }));
    // The role allows sts-*; the session policy narrows it to sts-allowed.
    expect(await errorName(sessionSqs.send(new SendMessageCommand({ QueueUrl: other, MessageBody: 'x' })))).toBe('AccessDenied');
  });

  it('GetCallerIdentity names root', async () => {
    const identity = await sts().send(new GetCallerIdentityCommand({}));
    expect(identity).toMatchObject({ Account: local.aws.accountId, Arn: `arn:aws:iam::${local.aws.accountId}:root` });
  });

  it.each([
    ['an unknown role', () => ({ RoleArn: `arn:aws:iam::000000000000:role/nobody` }), 'AccessDenied'],
    ['a bad session name', () => ({ RoleSessionName: 'has space' }), 'ValidationError'],
    ['a duration over the role maximum', () => ({ DurationSeconds: 3601 }), 'ValidationError'],
    ['a malformed policy', () => ({ Policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Maybe"}]}' }), 'MalformedPolicyDocumentException'],
    [
      'a policy too large',
      () => ({
        Policy: JSON.stringify({
          Statement: Array.from({ length: 40 }, (_, i) => ({ Effect: 'Allow', Action: 's3:PutObject', Resource: `arn:aws:s3:::dock/uploads/${i}` })),
        }),
      }),
      'PackedPolicyTooLargeException',
    ],
    // The SDK names these by its exception classes; the wire codes are AWS's.
  ])('AssumeRole rejects %s', async (_name, input, code) => {
    expect(await errorName(assume(input()))).toBe(code);
  });

  it('rejects unknown keys and forged tokens', async () => {
    const unknown = { accessKeyId: 'AKIAUNKNOWNUNKNOWN00', secretAccessKey: 'x'.repeat(40) };
    expect(await errorName(sts({ credentials: unknown }).send(new GetCallerIdentityCommand({})))).toBe('InvalidClientTokenId');
    const { Credentials } = await assume({ DurationSeconds: 900 });
    const forged = { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: `${Credentials!.SessionToken!.slice(0, -4)}AAAA` };
    expect(await errorName(sts({ credentials: forged }).send(new GetCallerIdentityCommand({})))).toBe('InvalidToken');
  });

  it('temporary credentials expire, and survive a restart until then', async () => {
    const short = await assume({ DurationSeconds: 1, RoleSessionName: 'short' });
    const long = await assume({ DurationSeconds: 900, RoleSessionName: 'long' });
    const creds = (c: typeof short) => ({
      accessKeyId: c.Credentials!.AccessKeyId!,
      secretAccessKey: c.Credentials!.SecretAccessKey!,
      sessionToken: c.Credentials!.SessionToken!,
    });
    await local.restart();
    expect((await sts({ credentials: creds(long) }).send(new GetCallerIdentityCommand({}))).Arn).toContain('/worker/long');
    const wait = short.Credentials!.Expiration!.getTime() - Date.now() + 50;
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    expect(await errorName(sts({ credentials: creds(short) }).send(new GetCallerIdentityCommand({})))).toBe('ExpiredToken');
  });
});
