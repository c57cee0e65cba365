import { createLocalAws, type LocalAws } from '@lfs/local-aws';
import {
  GetBucketCorsCommand,
  GetBucketPolicyCommand,
  ListBucketsCommand,
  PutBucketCorsCommand,
  PutBucketEncryptionCommand,
  PutBucketPolicyCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { ProvisionError } from '../../../src/provision/errors.js';
import { renderPlan } from '../../../src/provision/render.js';
import { EMBEDDED_WITHOUT_KMS_IAM } from '../../../src/provision/start.js';
import { cleanupAfterEach } from '../../helpers/cleanup.js';
import { externalEnv, provisionS3AndSqs, provisionWith } from '../../helpers/provisioned.js';
import { tempDirs } from '../../helpers/temp-dirs.js';

/**
 * Provisioning's S3 and SQS parts through the real APIs of an endpoint
 * started here (its keys and upload role come from its in-process
 * shortcuts until it speaks KMS and IAM: see provisionS3AndSqs).
 */
describe('provisioning buckets and queues', () => {
  const cleanup = cleanupAfterEach();
  const tempDir = tempDirs('lfs-provision-');
  let endpoint: LocalAws;
  let root: S3Client;

  beforeEach(async () => {
    endpoint = createLocalAws({ dataDir: join(await tempDir(), 'aws'), port: 0, minSessionDurationSeconds: 1 });
    await endpoint.start();
    root = new S3Client({ endpoint: endpoint.url, region: endpoint.region, forcePathStyle: true, credentials: endpoint.rootCredentials, maxAttempts: 1 });
  });
  afterEach(async () => {
    root.destroy();
    await endpoint.stop();
  });

  const render = (result: Awaited<ReturnType<typeof provisionWith>>, mode: 'plan' | 'apply') => renderPlan(result, { mode, endpoint: endpoint.url });

  it('plans without creating anything, creates everything, then has no changes', async () => {
    const planned = await provisionS3AndSqs(endpoint, {}, { mode: 'plan' });
    const plan = render(planned.result, 'plan');
    expect(plan).toContain('+ create  the dock bucket lfs-dock');
    expect(plan).toContain('+ create  the dock-events queue lfs-dock-events');
    expect(plan).toMatch(/note: the endpoint is plain HTTP: the buckets get no TLS-only statement/);
    expect(plan).toMatch(/Plan: 12 to create, 0 to update, 0 unchanged/);
    expect((await root.send(new ListBucketsCommand({}))).Buckets ?? []).toEqual([]);

    const applied = await provisionS3AndSqs(endpoint);
    expect(render(applied.result, 'apply')).toMatch(/Done: 12 created, 0 updated, 0 unchanged; everything reads back as LFS needs it/);
    const again = await provisionWith(applied.config, { mode: 'plan', skip: EMBEDDED_WITHOUT_KMS_IAM });
    expect(render(again, 'plan')).toMatch(/No changes: the 12 resources and settings LFS needs are in place/);
    const policy = JSON.parse((await root.send(new GetBucketPolicyCommand({ Bucket: 'lfs-dock' }))).Policy!);
    expect(policy.Statement.map((statement: { Sid: string }) => statement.Sid)).toEqual(['LfsDenyOtherEncryption', 'LfsDenyOtherKey']);
  });

  it('shows a drifted setting as a diff, fixes it, and keeps what is not its own (revocations, an operator\'s CORS rule)', async () => {
    const { config } = await provisionS3AndSqs(endpoint);
    const revocation = { Sid: 'LfsRevokedUntil202501010000', Effect: 'Deny', Principal: { AWS: ['arn:aws:sts::000000000000:assumed-role/lfs-upload/x'] }, Action: 's3:*', Resource: 'arn:aws:s3:::lfs-dock/uploads/*' };
    const policy = JSON.parse((await root.send(new GetBucketPolicyCommand({ Bucket: 'lfs-dock' }))).Policy!);
    policy.Statement = [...policy.Statement.filter((s: { Sid: string }) => s.Sid !== 'LfsDenyOtherKey'), revocation];
    await root.send(new PutBucketPolicyCommand({ Bucket: 'lfs-dock', Policy: JSON.stringify(policy) }));
    const operatorRule = { ID: 'operator', AllowedOrigins: ['https://ops.example'], AllowedMethods: ['GET'] };
    const cors = (await root.send(new GetBucketCorsCommand({ Bucket: 'lfs-dock' }))).CORSRules!;
    await root.send(new PutBucketCorsCommand({ Bucket: 'lfs-dock', CORSConfiguration: { CORSRules: [...cors, operatorRule] } }));
    await root.send(
      new PutBucketEncryptionCommand({ Bucket: 'lfs-vault', ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] } }),
    );

    const changed = loadConfig(externalEnv(endpoint, { ...settingsOf(config), LFS_UPLOAD_ORIGINS: 'https://app.example' }));
    const plan = render(await provisionWith(changed, { mode: 'plan', skip: EMBEDDED_WITHOUT_KMS_IAM }), 'plan');
    expect(plan).toContain('~ update  the dock bucket lfs-dock: its bucket policy');
    expect(plan).toMatch(/\+\s+"Sid": "LfsDenyOtherKey"/);
    expect(plan).toContain('~ update  the vault bucket lfs-vault: its default encryption');
    expect(plan).toMatch(/-\s+"SSEAlgorithm": "AES256"/);
    expect(plan).toMatch(/-\s+"\*"\n\s+\+\s+"https:\/\/app\.example"/);

    await provisionWith(changed, { skip: EMBEDDED_WITHOUT_KMS_IAM });
    const after = JSON.parse((await root.send(new GetBucketPolicyCommand({ Bucket: 'lfs-dock' }))).Policy!);
    expect(after.Statement.map((s: { Sid: string }) => s.Sid).sort()).toEqual(['LfsDenyOtherEncryption', 'LfsDenyOtherKey', 'LfsRevokedUntil202501010000']);
    const rules = (await root.send(new GetBucketCorsCommand({ Bucket: 'lfs-dock' }))).CORSRules!;
    expect(rules.map((rule) => [rule.ID, rule.AllowedOrigins])).toEqual([
      ['lfs-browser-uploads', ['https://app.example']],
      ['operator', ['https://ops.example']],
    ]);
  });

  it('stops at a step it may not take with one line naming the resource and the permission; a run with the permission finishes it', async () => {
    endpoint.putRole({
      name: 'half-admin',
      policies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', NotAction: 's3:PutEncryptionConfiguration', Resource: '*' }] }],
    });
    const sts = new STSClient({ endpoint: endpoint.url, region: endpoint.region, credentials: endpoint.rootCredentials });
    cleanup(async () => sts.destroy());
    const { Credentials: c } = await sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::000000000000:role/half-admin', RoleSessionName: 'ops' }));
    const limited = { LFS_AWS_ACCESS_KEY_ID: c!.AccessKeyId!, LFS_AWS_SECRET_ACCESS_KEY: c!.SecretAccessKey!, LFS_AWS_SESSION_TOKEN: c!.SessionToken! };
    const failure = await provisionS3AndSqs(endpoint, limited).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ProvisionError);
    expect((failure as ProvisionError).code).toBe('ACCESS_DENIED');
    expect((failure as ProvisionError).message).toBe(
      's3:PutEncryptionConfiguration on the dock bucket lfs-dock: its default encryption was refused (AccessDenied): grant s3:PutEncryptionConfiguration to the principal running lfs provision',
    );
    // Half-way: the dock bucket exists, the vault does not; the next run takes it from there.
    const { result } = await provisionS3AndSqs(endpoint);
    expect(result.changes.filter((change) => change.kind === 'none').map((change) => change.item.id)).toEqual(
      expect.arrayContaining(['sqs:dead-letter', 'sqs:dock-events', 'sqs:file-events', 's3:dock']),
    );
    expect(result.changes.find((change) => change.item.id === 's3:dock:encryption')!.kind).toBe('create');
  });

  it('says in one line that it cannot reach the endpoint', async () => {
    const config = loadConfig(externalEnv(endpoint, { LFS_AWS_ENDPOINT: 'http://127.0.0.1:9' }));
    await expect(provisionWith(config, { skip: EMBEDDED_WITHOUT_KMS_IAM })).rejects.toMatchObject({
      code: 'UNREACHABLE',
      message: expect.stringMatching(/^cannot reach http:\/\/127\.0\.0\.1:9 to sts:GetCallerIdentity the identity of these credentials \(ECONNREFUSED\): check LFS_AWS_ENDPOINT/),
    });
  });

  it('refuses a bucket that is in another region than LFS_AWS_REGION', async () => {
    await provisionS3AndSqs(endpoint);
    const failure = await provisionS3AndSqs(endpoint, { LFS_AWS_REGION: 'eu-west-1' }).catch((error: unknown) => error);
    expect((failure as ProvisionError).message).toBe('the dock bucket lfs-dock is in us-east-1, not in eu-west-1: set LFS_AWS_REGION=us-east-1, or choose another LFS_DOCK_BUCKET');
  });
});

/** The LFS_* settings a config was loaded from that name the keys (the rest are defaults here). */
function settingsOf(config: ReturnType<typeof loadConfig>) {
  return { LFS_DOCK_KMS_KEY_ID: config.storage.dockKmsKeyId, LFS_VAULT_KMS_KEY_ID: config.storage.vaultKmsKeyId };
}
