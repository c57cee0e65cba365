import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsCli, cliErrorCode, findAwsCli, type AwsCli } from '../helpers/awscli.js';
import { startLocalAws, type StartedLocalAws } from '../helpers/local-aws.js';

const bin = findAwsCli();

/** The AWS CLI's IAM (Query) and KMS (JSON 1.1) against the endpoint, as an operator provisions by hand. */
describe.skipIf(!bin)(`AWS CLI (${bin}): iam and kms`, () => {
  let env: StartedLocalAws;
  let aws: AwsCli;

  beforeAll(async () => {
    env = await startLocalAws();
    aws = awsCli({ bin: bin!, endpoint: env.aws.url, region: env.aws.region, credentials: env.aws.rootCredentials });
  });
  afterAll(async () => {
    await env?.stop();
  });

  it('iam create-role and get-role (the CLI decodes the URL-encoded document); NoSuchEntity for a missing role', { timeout: 180_000 }, async () => {
    const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${env.aws.accountId}:root` }, Action: 'sts:AssumeRole' }] };
    const created = await aws.json<{ Role: { Arn: string } }>(['iam', 'create-role', '--role-name', 'cli-role', '--assume-role-policy-document', JSON.stringify(trust)]);
    expect(created.Role.Arn).toBe(`arn:aws:iam::${env.aws.accountId}:role/cli-role`);
    const got = await aws.json<{ Role: { AssumeRolePolicyDocument: unknown } }>(['iam', 'get-role', '--role-name', 'cli-role']);
    expect(got.Role.AssumeRolePolicyDocument).toEqual(trust);
    expect(cliErrorCode(await aws.run(['iam', 'get-role', '--role-name', 'nobody']))).toBe('NoSuchEntity');
  });

  it('kms create-key, create-alias and describe-key; NotFoundException for a missing alias', { timeout: 180_000 }, async () => {
    const { KeyMetadata } = await aws.json<{ KeyMetadata: { KeyId: string; KeyState: string } }>(['kms', 'create-key', '--description', 'from the cli']);
    expect(KeyMetadata.KeyState).toBe('Enabled');
    await aws.ok(['kms', 'create-alias', '--alias-name', 'alias/cli', '--target-key-id', KeyMetadata.KeyId]);
    const described = await aws.json<{ KeyMetadata: { KeyId: string } }>(['kms', 'describe-key', '--key-id', 'alias/cli']);
    expect(described.KeyMetadata.KeyId).toBe(KeyMetadata.KeyId);
    expect(cliErrorCode(await aws.run(['kms', 'describe-key', '--key-id', 'alias/none']))).toBe('NotFoundException');
  });
});
