import { createLocalAws, type LocalAws } from '@lfs/local-aws';
import { DeleteBucketCorsCommand, S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppOptions } from '../../src/app.js';
import { cleanupAfterEach } from '../helpers/cleanup.js';
import { recordLogs } from '../helpers/logs.js';
import { REQUEST_UPLOAD } from '../helpers/operations.js';
import { until } from '../helpers/process.js';
import { loadConfig } from '../../src/config.js';
import { externalEnv, provisionWith } from '../helpers/provisioned.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { tempDirs } from '../helpers/temp-dirs.js';
import { WAIT_TIMEOUT_MS } from '../helpers/waits.js';

const readyz = async (stack: Stack) => {
  const response = await fetch(`${stack.app.url}/readyz`);
  return { status: response.status, body: (await response.json()) as { status: string; problems?: string[] } };
};

/**
 * LFS against an endpoint it does not run (as against AWS) only checks at
 * start: it serves, answers /readyz 503 with one line per missing or
 * drifted resource naming the fix, and becomes ready by itself once they
 * are there.
 */
describe('the start-up check against an external endpoint', () => {
  const cleanup = cleanupAfterEach();
  const tempDir = tempDirs('lfs-start-check-');
  let endpoint: LocalAws;

  beforeEach(async () => {
    endpoint = createLocalAws({ dataDir: join(await tempDir(), 'aws'), port: 0, minSessionDurationSeconds: 1 });
    await endpoint.start();
  });
  afterEach(() => endpoint.stop());

  const provisioned = (options: Parameters<typeof provisionWith>[1] = {}) => provisionWith(loadConfig(externalEnv(endpoint)), options);
  const start = async (env: Record<string, string>, options: AppOptions = {}) => {
    const stack = await startStack({ LFS_RESOURCE_RECHECK_SECONDS: '1', ...env }, undefined, options);
    cleanup(() => stack.stop());
    return stack;
  };

  it('starts not ready, names each missing resource with its fix, creates nothing, and becomes ready once provisioned', async () => {
    const stack = await start(externalEnv(endpoint));
    const { status, body } = await readyz(stack);
    expect(status).toBe(503);
    expect(body.problems).toEqual(
      expect.arrayContaining([
        'the dock bucket lfs-dock does not exist: run: lfs provision',
        'the vault bucket lfs-vault does not exist: run: lfs provision',
        'the dock-events queue lfs-dock-events does not exist: run: lfs provision',
        'the dead-letter queue lfs-dock-events-dlq does not exist: run: lfs provision',
        'the file-events queue lfs-file-events does not exist: run: lfs provision',
        'the dock KMS key alias/lfs-dock does not exist: run: lfs provision',
        'the vault KMS key alias/lfs-vault does not exist: run: lfs provision',
        'the upload role lfs-upload does not exist: run: lfs provision',
      ]),
    );
    // One line each, never a stack trace; a bucket's settings are not listed apart from the missing bucket.
    for (const problem of body.problems!) expect(problem).toMatch(/^[^\n]+: run: lfs provision$/);
    expect(body.problems!.some((problem) => problem.includes('CORS'))).toBe(false);
    const graphql = await fetch(`${stack.app.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{__typename}"}' });
    expect(graphql.status).toBe(503);
    expect((await fetch(`${stack.app.url}/healthz`)).status).toBe(200);
    // It only checked: nothing was created.
    const root = new S3Client({ endpoint: endpoint.url, region: endpoint.region, forcePathStyle: true, credentials: endpoint.rootCredentials });
    cleanup(async () => root.destroy());
    await expect(root.send(new DeleteBucketCorsCommand({ Bucket: 'lfs-dock' }))).rejects.toMatchObject({ name: 'NoSuchBucket' });

    const { refs } = await provisioned();
    await until('LFS to become ready', async () => (await readyz(stack)).status === 200, WAIT_TIMEOUT_MS, 200);
    expect(stack.app.problems).toEqual([]);
    const { data, errors } = await stack.graphql(await stack.token('alice'), REQUEST_UPLOAD, { input: { name: 'a.bin', size: 1 } });
    expect(errors).toBeUndefined();
    // The alias is resolved to the key provisioning created.
    expect(data.requestUpload.target.kmsKeyId).toBe(refs.dockKeyArn);
    expect(refs.dockKeyArn).toMatch(/^arn:aws:kms:us-east-1:000000000000:key\//);
  });

  it('names a drifted setting, and does not overwrite it at start', async () => {
    await provisioned();
    const root = new S3Client({ endpoint: endpoint.url, region: endpoint.region, forcePathStyle: true, credentials: endpoint.rootCredentials });
    cleanup(async () => root.destroy());
    await root.send(new DeleteBucketCorsCommand({ Bucket: 'lfs-dock' }));
    const stack = await start(externalEnv(endpoint, { LFS_UPLOAD_ORIGINS: 'https://app.example' }));
    expect((await readyz(stack)).body.problems).toEqual(['the dock bucket lfs-dock: its CORS rule lfs-browser-uploads (origins https://app.example) does not exist: run: lfs provision']);
  });

  it('reports an endpoint it cannot reach as one line, logged without a stack trace, and keeps serving not ready', async () => {
    const logs = recordLogs();
    const stack = await start(externalEnv(endpoint, { LFS_AWS_ENDPOINT: 'http://127.0.0.1:9' }), { logger: logs.logger });
    const { status, body } = await readyz(stack);
    expect(status).toBe(503);
    expect(body.problems).toEqual([expect.stringMatching(/^cannot reach http:\/\/127\.0\.0\.1:9 to sts:GetCallerIdentity .*: check LFS_AWS_ENDPOINT/)]);
    // The start-up log says the same line, once, and nothing with an error object or a stack attached.
    expect(logs.lines.filter((line) => line.level >= 50).map((line) => line.msg)).toEqual(body.problems);
    for (const line of logs.lines) {
      expect(line.err).toBeUndefined();
      expect(JSON.stringify(line)).not.toMatch(/\\n\s+at /);
    }
  });

  it('reads its account from STS, and refuses a LFS_AWS_ACCOUNT_ID that is not the credentials\' account', async () => {
    await provisioned();
    const stack = await start(externalEnv(endpoint, { LFS_AWS_ACCOUNT_ID: '111122223333' }));
    expect((await readyz(stack)).body.problems).toEqual([
      'LFS_AWS_ACCOUNT_ID is 111122223333 but the credentials are of account 000000000000: fix LFS_AWS_ACCOUNT_ID or the credentials',
    ]);
  });

  it('signs with temporary credentials (LFS_AWS_SESSION_TOKEN), and counts as its role, the principal the vault admits', async () => {
    const lfsRole = 'arn:aws:iam::000000000000:role/lfs-service';
    endpoint.putRole({ name: 'lfs-service', policies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }] });
    await provisioned({ lfsPrincipalArn: lfsRole });
    const sts = new STSClient({ endpoint: endpoint.url, region: endpoint.region, credentials: endpoint.rootCredentials });
    cleanup(async () => sts.destroy());
    const { Credentials } = await sts.send(new AssumeRoleCommand({ RoleArn: lfsRole, RoleSessionName: 'lfs', DurationSeconds: 900 }));
    const session = {
      LFS_AWS_ACCESS_KEY_ID: Credentials!.AccessKeyId!,
      LFS_AWS_SECRET_ACCESS_KEY: Credentials!.SecretAccessKey!,
      LFS_AWS_SESSION_TOKEN: Credentials!.SessionToken!,
    };
    const stack = await start(externalEnv(endpoint, session));
    expect(await readyz(stack)).toMatchObject({ status: 200 });

    // Without the token the same key is refused: the one line names the credentials.
    const { LFS_AWS_SESSION_TOKEN: _token, ...withoutToken } = session;
    const refused = await start(externalEnv(endpoint, withoutToken));
    expect((await readyz(refused)).body.problems).toEqual([expect.stringMatching(/refused the credentials \(\w+\) to sts:GetCallerIdentity .*: check LFS_AWS_ACCESS_KEY_ID/)]);
  });

  it("names a check LFS's credentials may not make, with the permission to grant", async () => {
    const lfsRole = 'arn:aws:iam::000000000000:role/lfs-service';
    endpoint.putRole({ name: 'lfs-service', policies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', NotAction: 's3:GetBucketCORS', Resource: '*' }] }] });
    await provisioned({ lfsPrincipalArn: lfsRole });
    const sts = new STSClient({ endpoint: endpoint.url, region: endpoint.region, credentials: endpoint.rootCredentials });
    cleanup(async () => sts.destroy());
    const { Credentials: c } = await sts.send(new AssumeRoleCommand({ RoleArn: lfsRole, RoleSessionName: 'lfs', DurationSeconds: 900 }));
    const stack = await start(
      externalEnv(endpoint, { LFS_AWS_ACCESS_KEY_ID: c!.AccessKeyId!, LFS_AWS_SECRET_ACCESS_KEY: c!.SecretAccessKey!, LFS_AWS_SESSION_TOKEN: c!.SessionToken! }),
    );
    expect((await readyz(stack)).body.problems).toEqual([
      "s3:GetBucketCORS on the dock bucket lfs-dock: its CORS rule lfs-browser-uploads (origins *) was refused (AccessDenied): grant s3:GetBucketCORS to LFS's principal (lfs provision --print-lfs-policy prints what it needs)",
    ]);
  });
});
