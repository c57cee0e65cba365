import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCredentialIssuer } from '../../../src/credentials/issuer.js';
import { withRevocation } from '../../../src/credentials/revocations.js';
import { sessionArnOf, sessionNameOf } from '../../../src/credentials/session-name.js';
import { buildUploadRolePolicy } from '../../../src/credentials/session-policy.js';
import { startLocalAws, type StartedLocalAws } from '../../../packages/local-aws/test/helpers/local-aws.js';

describe('upload session names', () => {
  let env: StartedLocalAws;
  let sts: STSClient;
  const roleArn = 'arn:aws:iam::000000000000:role/lfs-upload';

  beforeAll(async () => {
    env = await startLocalAws();
    const dockKey = env.aws.ensureKey('alias/lfs-dock');
    env.aws.putRole({ name: 'lfs-upload', policies: [buildUploadRolePolicy('lfs-dock', dockKey.arn)], maxSessionDurationSeconds: 43_200 });
    sts = new STSClient({ endpoint: env.aws.url, region: env.aws.region, credentials: env.aws.rootCredentials });
  });

  afterAll(async () => {
    sts.destroy();
    await env.stop();
  });

  it('a revocation names exactly the session the issuer issues, as STS reports it', async () => {
    const issuer = createCredentialIssuer({
      sts,
      roleArn,
      dock: { name: 'lfs-dock', kmsKeyArn: env.aws.ensureKey('alias/lfs-dock').arn },
      ttlSeconds: 900,
      minTtlSeconds: 1,
    });
    const fileId = randomUUID();
    const credentials = await issuer.issue(fileId, new Date(Date.now() + 3600_000));
    const asUploader = new STSClient({ endpoint: env.aws.url, region: env.aws.region, credentials });
    const { Arn } = await asUploader.send(new GetCallerIdentityCommand({}));
    asUploader.destroy();

    expect(Arn).toBe(sessionArnOf(roleArn, fileId));
    expect(Arn!.endsWith(`/${sessionNameOf(fileId)}`)).toBe(true);
    const policy = withRevocation(undefined, sessionArnOf(roleArn, fileId), 'lfs-dock', new Date(Date.now() + 3600_000), new Date());
    expect(policy.Statement[0].Principal).toEqual({ AWS: [Arn] });
  });

  it('keeps within the 64 characters STS allows', () => {
    expect(sessionNameOf('x'.repeat(100))).toHaveLength(64);
  });

  it.each([
    ['AWS', 'arn:aws:iam::123456789012:role/path/lfs-upload', 'arn:aws:sts::123456789012:assumed-role/lfs-upload/lfs-f1'],
    ["Ceph's gateway (no account)", 'arn:aws:iam:::role/lfs-upload', 'arn:aws:sts:::assumed-role/lfs-upload/lfs-f1'],
    ["Ceph's gateway (a tenant)", 'arn:aws:iam::acme:role/lfs-upload', 'arn:aws:sts::acme:assumed-role/lfs-upload/lfs-f1'],
  ])('names the session of a role on %s', (_engine, role, session) => {
    expect(sessionArnOf(role, 'f1')).toBe(session);
  });
});

