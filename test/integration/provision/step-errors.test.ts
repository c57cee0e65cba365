import { createLocalAws, type LocalAws } from '@lfs/local-aws';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { ProvisionError } from '../../../src/provision/errors.js';
import { renderPlan } from '../../../src/provision/render.js';
import { externalEnv, provisionWith } from '../../helpers/provisioned.js';
import { tempDirs } from '../../helpers/temp-dirs.js';

/** Every call provisioning makes to create or change something, in the order it makes them. */
const WRITES = [
  'kms:CreateKey',
  'kms:CreateAlias',
  'iam:CreateRole',
  'iam:PutRolePolicy',
  'sqs:CreateQueue',
  'sqs:SetQueueAttributes',
  's3:CreateBucket',
  's3:PutBucketPublicAccessBlock',
  's3:PutEncryptionConfiguration',
  's3:PutBucketPolicy',
  's3:PutBucketCORS',
  's3:PutLifecycleConfiguration',
  's3:PutBucketNotification',
];

/** The calls provisioning makes only to change what exists already (a first run never makes them). */
const UPDATES = ['kms:PutKeyPolicy', 'iam:UpdateAssumeRolePolicy'];

/**
 * Each provisioning step's error: a principal allowed everything but that
 * step's call is stopped there with one line naming the resource and the
 * permission to grant (no stack trace), and a run allowed it finishes what
 * was left half-done.
 */
describe('each provisioning step, refused', () => {
  const tempDir = tempDirs('lfs-provision-steps-');
  let endpoint: LocalAws;

  beforeEach(async () => {
    endpoint = createLocalAws({ dataDir: join(await tempDir(), 'aws'), port: 0, minSessionDurationSeconds: 1 });
    await endpoint.start();
  });
  afterEach(() => endpoint.stop());

  const provisioned = (env: Record<string, string> = {}, options: Parameters<typeof provisionWith>[1] = {}) => provisionWith(loadConfig(externalEnv(endpoint, env)), options);

  /** Credentials of a role allowed everything but `action`. */
  const allowedAllBut = async (action: string) => {
    endpoint.putRole({ name: 'almost-admin', policies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', NotAction: action, Resource: '*' }] }] });
    const sts = new STSClient({ endpoint: endpoint.url, region: endpoint.region, credentials: endpoint.rootCredentials });
    const { Credentials: c } = await sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::000000000000:role/almost-admin', RoleSessionName: 'ops' }));
    sts.destroy();
    return { LFS_AWS_ACCESS_KEY_ID: c!.AccessKeyId!, LFS_AWS_SECRET_ACCESS_KEY: c!.SecretAccessKey!, LFS_AWS_SESSION_TOKEN: c!.SessionToken! };
  };
  /** Stopped at `action` with the one line naming it; then a run that may finishes, and nothing is left to change. */
  const refusedThenFinished = async (action: string, limited: Record<string, string>, lfs: Parameters<typeof provisionWith>[1]) => {
    const failure = await provisioned(limited, lfs).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ProvisionError);
    const { code, message } = failure as ProvisionError;
    expect(code).toBe('ACCESS_DENIED');
    expect(message).not.toContain('\n');
    expect(message).toMatch(new RegExp(`^${action} on the .+ was refused \\(AccessDenied\\w*\\): grant ${action} to the principal running lfs provision$`));

    await provisioned({}, lfs);
    expect(renderPlan(await provisioned({}, { ...lfs, mode: 'plan' }), { mode: 'plan', endpoint: endpoint.url })).toMatch(/No changes/);
  };

  it.each(WRITES)('without %s: one line naming it, then finished by a run that may', async (action) => {
    const limited = await allowedAllBut(action);
    // LFS's principal is named, so the run does not depend on who runs it.
    await refusedThenFinished(action, limited, { lfsPrincipalArn: 'arn:aws:iam::000000000000:root' });
  });

  it.each(UPDATES)('without %s: a change to what is in place stops at it with one line, then is finished by a run that may', async (action) => {
    await provisioned({}, { lfsPrincipalArn: 'arn:aws:iam::000000000000:root' });
    const limited = await allowedAllBut(action);
    // Another principal for LFS changes the key policies and the upload role's trust policy in place.
    await refusedThenFinished(action, limited, { lfsPrincipalArn: 'arn:aws:iam::000000000000:role/almost-admin' });
  });
});

/**
 * A resource that exists with another configuration than LFS can use: one
 * line naming it and the fix, and nothing else is changed.
 */
describe('a resource that exists otherwise', () => {
  const tempDir = tempDirs('lfs-provision-conflicts-');
  let endpoint: LocalAws;

  beforeEach(async () => {
    endpoint = createLocalAws({ dataDir: join(await tempDir(), 'aws'), port: 0 });
    await endpoint.start();
  });
  afterEach(() => endpoint.stop());

  const provisioned = () => provisionWith(loadConfig(externalEnv(endpoint)), { lfsPrincipalArn: 'arn:aws:iam::000000000000:root' });
  const refusal = async () => {
    const failure = await provisioned().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ProvisionError);
    expect((failure as ProvisionError).code).toBe('CONFLICT');
    return (failure as ProvisionError).message;
  };

  it('the upload role under another path', async () => {
    const iam = new IAMClient({ endpoint: endpoint.url, region: endpoint.region, credentials: { ...endpoint.rootCredentials } });
    const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::000000000000:root' }, Action: 'sts:AssumeRole' }] };
    await iam.send(new CreateRoleCommand({ RoleName: 'lfs-upload', Path: '/elsewhere/', AssumeRolePolicyDocument: JSON.stringify(trust) }));
    iam.destroy();
    expect(await refusal()).toBe('the upload role lfs-upload exists under the path /elsewhere/, not /: set LFS_UPLOAD_ROLE_ARN to its ARN, or delete it');
  });
});
