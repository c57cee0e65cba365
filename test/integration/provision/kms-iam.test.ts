import { GetUserPolicyCommand, IAMClient, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnLocalAws, type LocalAwsProcess } from '../../../packages/local-aws/test/helpers/local-aws-process.js';
import { cleanupAfterEach } from '../../helpers/cleanup.js';
import { REQUEST_UPLOAD } from '../../helpers/operations.js';
import { startStack, type Stack } from '../../helpers/stack.js';
import { runLfs } from '../../helpers/cli.js';

/**
 * The whole of `lfs provision`, KMS and IAM included, against the endpoint
 * run as its own process (`lfs-local-aws`), reached as AWS would be. Needs
 * the endpoint's KMS and IAM APIs (CreateKey, CreateAlias, Get/PutKeyPolicy,
 * DescribeKey; Get/CreateRole, UpdateAssumeRolePolicy, Get/PutRolePolicy,
 * GetUser/CreateUser, Get/PutUserPolicy, CreateAccessKey).
 */
describe('lfs provision with KMS and IAM, against an endpoint LFS does not run', () => {
  const cleanup = cleanupAfterEach();
  let dir: string;
  let endpoint: LocalAwsProcess;
  const lfsUser = 'arn:aws:iam::000000000000:user/lfs';
  const asRoot = () => ({
    LFS_LOCAL_AWS: 'false',
    LFS_AWS_ENDPOINT: endpoint.url,
    LFS_AWS_ACCESS_KEY_ID: endpoint.credentials.accessKeyId,
    LFS_AWS_SECRET_ACCESS_KEY: endpoint.credentials.secretAccessKey,
  });
  const client = <T>(Client: new (config: object) => T) => new Client({ endpoint: endpoint.url, region: endpoint.region, credentials: endpoint.credentials });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lfs-provision-kms-iam-'));
    endpoint = await spawnLocalAws(join(dir, 'aws'));
  });
  afterAll(async () => {
    await endpoint?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('the start-up check names the missing keys and role, each with the fix', async () => {
    const stack = await startStack({ ...asRoot(), LFS_RESOURCE_RECHECK_SECONDS: '1' }, join(dir, 'before'));
    cleanup(() => stack.stop());
    expect(stack.app.problems).toEqual(
      expect.arrayContaining([
        'the dock KMS key alias/lfs-dock does not exist: run: lfs provision',
        'the vault KMS key alias/lfs-vault does not exist: run: lfs provision',
        'the upload role lfs-upload does not exist: run: lfs provision',
      ]),
    );
  });

  let lfsKeys: { LFS_AWS_ACCESS_KEY_ID: string; LFS_AWS_SECRET_ACCESS_KEY: string };

  it('creates everything, a user for LFS with its policy and an access key, then has no changes', async () => {
    const first = await runLfs(['provision', '--lfs-principal', lfsUser, '--create-lfs-policy', '--create-access-key'], { env: asRoot() });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('+ create  the dock KMS key alias/lfs-dock');
    expect(first.stdout).toContain('+ create  the upload role lfs-upload');
    expect(first.stdout).toMatch(/Done: \d+ created, 0 updated, 0 unchanged/);
    lfsKeys = {
      LFS_AWS_ACCESS_KEY_ID: /LFS_AWS_ACCESS_KEY_ID=(\S+)/.exec(first.stdout)![1],
      LFS_AWS_SECRET_ACCESS_KEY: /LFS_AWS_SECRET_ACCESS_KEY=(\S+)/.exec(first.stdout)![1],
    };
    // A second run needs no flag: LFS's principal is the one the upload role trusts.
    const again = await runLfs(['provision', '--dry-run'], { env: asRoot() });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`LFS's principal: ${lfsUser} (trusted by the upload role lfs-upload`);
    expect(again.stdout).toMatch(/No changes: the \d+ resources and settings LFS needs are in place/);

    const printed = await runLfs(['provision', '--print-lfs-policy'], { env: asRoot() });
    const iam = client(IAMClient);
    cleanup(async () => iam.destroy());
    const attached = await iam.send(new GetUserPolicyCommand({ UserName: 'lfs', PolicyName: 'lfs-service' }));
    expect(JSON.parse(printed.stdout)).toEqual(JSON.parse(decodeURIComponent(attached.PolicyDocument!)));
  });

  it('serves as the non-root user with only the generated policy: ready, and uploads are issued', async () => {
    const stack: Stack = await startStack({ ...asRoot(), ...lfsKeys }, join(dir, 'serve'));
    cleanup(() => stack.stop());
    expect(stack.app.problems).toEqual([]);
    const { data, errors } = await stack.graphql(await stack.token('alice'), REQUEST_UPLOAD, { input: { name: 'a.bin', size: 1 } });
    expect(errors).toBeUndefined();
    expect(data.requestUpload.target.kmsKeyId).toMatch(/^arn:aws:kms:/);
  });

  it('shows a changed trust policy as a diff and puts it back', async () => {
    const iam = client(IAMClient);
    cleanup(async () => iam.destroy());
    const other = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::000000000000:root' }, Action: 'sts:AssumeRole' }] };
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'lfs-upload', PolicyDocument: JSON.stringify(other) }));
    const plan = await runLfs(['provision', '--dry-run', '--lfs-principal', lfsUser], { env: asRoot() });
    expect(plan.stdout).toContain('~ update  the upload role lfs-upload');
    expect(plan.stdout).toMatch(/-\s+"arn:aws:iam::000000000000:root"\n\s+\+\s+"arn:aws:iam::000000000000:user\/lfs"/);
    expect((await runLfs(['provision', '--lfs-principal', lfsUser], { env: asRoot() })).code).toBe(0);
    expect((await runLfs(['provision', '--dry-run'], { env: asRoot() })).stdout).toMatch(/No changes/);
  });

  it('refuses a configured key ARN that does not exist, in one line (exit 1)', async () => {
    const { code, stderr } = await runLfs(['provision', '--dry-run'], { env: { ...asRoot(), LFS_DOCK_KMS_KEY_ID: 'arn:aws:kms:us-east-1:000000000000:key/00000000-0000-0000-0000-000000000000' } });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^lfs provision: the dock KMS key arn:aws:kms:\S+ \(LFS_DOCK_KMS_KEY_ID\) does not exist: create it, or set LFS_DOCK_KMS_KEY_ID to an alias \(alias\/lfs-dock\) for lfs provision to create the key\n$/);
  });

  it('stops with one line when LFS is not allowed what provisioning needs (its own keys are not enough)', async () => {
    const { code, stderr } = await runLfs(['provision'], { env: { ...asRoot(), ...lfsKeys, LFS_DOCK_BUCKET: 'lfs-dock-2', LFS_VAULT_BUCKET: 'lfs-vault-2' } });
    expect(code).toBe(1);
    expect(stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^lfs provision: \S+ on .* was refused \(AccessDenied\w*\): grant \S+ to the principal running lfs provision$/)]);
  });

  it('provisions at start with LFS_PROVISION_ON_START=true', async () => {
    const stack = await startStack({ ...asRoot(), LFS_PROVISION_ON_START: 'true', LFS_DOCK_BUCKET: 'on-start-dock', LFS_VAULT_BUCKET: 'on-start-vault', LFS_DOCK_KMS_KEY_ID: 'alias/on-start-dock' }, join(dir, 'on-start'));
    cleanup(() => stack.stop());
    expect(stack.app.problems).toEqual([]);
    expect((await runLfs(['provision', '--dry-run'], { env: { ...asRoot(), LFS_DOCK_BUCKET: 'on-start-dock', LFS_VAULT_BUCKET: 'on-start-vault', LFS_DOCK_KMS_KEY_ID: 'alias/on-start-dock' } })).stdout).toMatch(/No changes/);
  });
});
