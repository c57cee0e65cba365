import { GetBucketPolicyCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { uploadRoleArnOf } from '../../../src/config.js';
import { sessionArnOf } from '../../../src/credentials/session-name.js';
import { cleanupAfterEach } from '../../helpers/cleanup.js';
import { postgresDatabase } from '../../helpers/databases.js';
import { REQUEST_UPLOAD } from '../../helpers/operations.js';
import { startStack, type Stack } from '../../helpers/stack.js';

const secret = 'shared-limits-test-secret-0123456789abcdef';
const CANCEL = /* GraphQL */ `mutation Cancel($fileId: ID!) { cancelUpload(fileId: $fileId) { id status } }`;

/**
 * Three LFS instances on one PostgreSQL: the first embeds the AWS endpoint,
 * the other two use it as an external one, so they share the database and
 * the dock bucket as instances in production do.
 */
async function threeInstances(cleanup: (step: () => Promise<unknown>) => void, env: Record<string, string>): Promise<Stack[]> {
  const shared = { LFS_DATABASE_URL: await postgresDatabase(), LFS_AUTH_SECRET: secret, LFS_PROMOTION_ENABLED: 'false', ...env };
  const first = await startStack(shared);
  cleanup(() => first.stop());
  const aws = first.app.localAws!;
  const external = {
    ...shared,
    LFS_LOCAL_AWS: 'false',
    LFS_AWS_ENDPOINT: aws.url,
    LFS_AWS_ACCESS_KEY_ID: aws.rootCredentials.accessKeyId,
    LFS_AWS_SECRET_ACCESS_KEY: aws.rootCredentials.secretAccessKey,
    LFS_DOCK_KMS_KEY_ID: aws.ensureKey('alias/lfs-dock').arn,
    LFS_VAULT_KMS_KEY_ID: aws.ensureKey('alias/lfs-vault').arn,
    // The first provisioned the endpoint as embedded mode does (no KMS, IAM nor Block Public Access); the rest is done here.
    LFS_PROVISION_ON_START: 'true',
  };
  const others = [await startStack(external), await startStack(external)];
  for (const stack of others) cleanup(() => stack.stop());
  return [first, ...others];
}

const request = (stack: Stack, token: string, name: string) => stack.graphql(token, REQUEST_UPLOAD, { input: { name, size: 1000 } });

describe('three instances share one database', () => {
  const cleanup = cleanupAfterEach();

  it("enforce one owner's rate limit together: the 61st requestUpload in a minute is refused whichever instance it reaches", async () => {
    // 60 at once, refilled at one a minute: a busy machine's slow requests cannot earn more tokens during the test.
    const stacks = await threeInstances(cleanup, { LFS_RATE_UPLOADS_PER_MINUTE: '1', LFS_RATE_UPLOADS_BURST: '60', LFS_QUOTA_OPEN_UPLOADS: '1000' });
    const token = await stacks[0].token('alice');
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 90 }, (_, i) => request(stacks[i % 3], token, `r${i}.bin`)));
    const elapsedSeconds = (Date.now() - started) / 1000;
    const allowed = results.filter((result) => result.data?.requestUpload);
    const refused = results.filter((result) => result.errors?.[0]?.extensions?.code === 'RATE_LIMITED');
    expect(allowed.length + refused.length).toBe(90);
    // Counted per process, three instances would have allowed all 90.
    expect(allowed.length).toBe(60 + Math.floor(elapsedSeconds / 60));
    // And the next one is refused on every instance.
    for (const stack of stacks) expect((await request(stack, token, 'one-more.bin')).errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
  });

  it("enforce one owner's quota together: concurrent requests on three instances never overshoot it", async () => {
    const stacks = await threeInstances(cleanup, { LFS_QUOTA_OPEN_UPLOADS: '5' });
    const token = await stacks[0].token('bob');
    const results = await Promise.all(Array.from({ length: 15 }, (_, i) => request(stacks[i % 3], token, `q${i}.bin`)));
    expect(results.filter((result) => result.data?.requestUpload)).toHaveLength(5);
    expect(results.filter((result) => result.errors?.[0]?.extensions?.code === 'QUOTA_EXCEEDED')).toHaveLength(10);
  });

  it('serialize revocations: two cancels at once on two instances both end up in the dock bucket policy', async () => {
    const stacks = await threeInstances(cleanup, {});
    const token = await stacks[0].token('carol');
    for (let round = 0; round < 3; round++) {
      const ids = await Promise.all([1, 2].map(async (i) => (await request(stacks[i], token, `c${i}.bin`)).data.requestUpload.file.id as string));
      const cancelled = await Promise.all(ids.map((fileId, i) => stacks[i + 1].graphql(token, CANCEL, { fileId })));
      expect(cancelled.map((result) => result.data?.cancelUpload.status)).toEqual(['CANCELLED', 'CANCELLED']);
      const { Policy } = await stacks[0].rootS3().send(new GetBucketPolicyCommand({ Bucket: 'lfs-dock' }));
      const denied = JSON.stringify(JSON.parse(Policy!).Statement);
      const roleArn = uploadRoleArnOf(stacks[0].app.config, stacks[0].app.localAws!.accountId);
      for (const id of ids) expect(denied).toContain(sessionArnOf(roleArn, id));
    }
  });
});
