import { createLocalAws, type LocalAws } from '@lfs/local-aws';
import { GetBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { Agent } from 'node:https';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { cleanupAfterEach } from '../helpers/cleanup.js';
import { randomStream } from '../helpers/data.js';
import { FILE, REQUEST_UPLOAD, type Ticket } from '../helpers/operations.js';
import { until } from '../helpers/process.js';
import { externalEnv, provisionWith } from '../helpers/provisioned.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { tempDirs } from '../helpers/temp-dirs.js';
import { uploadWithTicket } from '../helpers/uploader.js';

/** A self-signed certificate for 127.0.0.1, made by Debian's openssl (node:crypto makes no X.509 certificates). */
function selfSigned(dir: string): { certFile: string; keyFile: string } {
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
  return { certFile, keyFile };
}

/** Requests an upload, uploads it as a browser trusting `ca` would, and waits for the promotion. */
async function promoteOne(stack: Stack, ca: string): Promise<string> {
  const token = await stack.token('alice');
  const { data, errors } = await stack.graphql(token, REQUEST_UPLOAD, { input: { name: 'tls.bin', size: 256 * 1024 } });
  expect(errors).toBeUndefined();
  const ticket = data.requestUpload as Ticket;
  expect(ticket.target.endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  await uploadWithTicket(ticket, randomStream(256 * 1024).stream, { ca });
  let status = '';
  await until('the file to be promoted', async () => {
    status = (await stack.graphql(token, FILE, { id: ticket.file.id })).data.file.status;
    return status === 'AVAILABLE' || status === 'FAILED';
  });
  return status;
}

/** The dock's TLS-only statement, read with the root's credentials over HTTPS. */
async function dockStatements(url: string, credentials: { accessKeyId: string; secretAccessKey: string }, ca: string): Promise<string[]> {
  const agent = new Agent({ ca });
  const s3 = new S3Client({ endpoint: url, region: 'us-east-1', forcePathStyle: true, credentials: { ...credentials }, requestHandler: { httpsAgent: agent } });
  try {
    const policy = JSON.parse((await s3.send(new GetBucketPolicyCommand({ Bucket: 'lfs-dock' }))).Policy!);
    return policy.Statement.map((statement: { Sid: string }) => statement.Sid);
  } finally {
    s3.destroy();
    agent.destroy();
  }
}

/**
 * An endpoint served over HTTPS with a certificate of its own: LFS trusts it
 * when told to, provisioning adds the TLS-only bucket statement, and an
 * upload is promoted end to end; a certificate LFS does not trust is one
 * line naming the setting that fixes it.
 */
describe('an HTTPS endpoint', () => {
  const cleanup = cleanupAfterEach();
  const tempDir = tempDirs('lfs-tls-');
  let dir: string;
  let tls: { certFile: string; keyFile: string };
  let ca: string;

  beforeEach(async () => {
    dir = await tempDir();
    tls = selfSigned(dir);
    ca = await readFile(tls.certFile, 'utf8');
  });

  describe('run by someone else (as AWS would be)', () => {
    let endpoint: LocalAws;
    beforeEach(async () => {
      endpoint = createLocalAws({ dataDir: join(dir, 'aws'), port: 0, minSessionDurationSeconds: 1, tls });
      await endpoint.start();
    });
    afterEach(() => endpoint.stop());

    it('is provisioned with the TLS-only statement and promotes an upload, trusting LFS_AWS_CA_FILE', async () => {
      const env = externalEnv(endpoint, { LFS_AWS_CA_FILE: tls.certFile });
      expect(endpoint.url).toMatch(/^https:/);
      await provisionWith(loadConfig(env));
      expect(await dockStatements(endpoint.url, endpoint.rootCredentials, ca)).toContain('LfsDenyInsecureTransport');
      const stack = await startStack(env);
      cleanup(() => stack.stop());
      expect(stack.app.problems).toEqual([]);
      expect(await promoteOne(stack, ca)).toBe('AVAILABLE');
    });

    it('names a certificate LFS does not trust, and the setting that fixes it', async () => {
      const failure = await provisionWith(loadConfig(externalEnv(endpoint))).catch((error: unknown) => error);
      expect((failure as Error).message).toMatch(
        /^https:\/\/127\.0\.0\.1:\d+ presented a certificate LFS does not trust to sts:GetCallerIdentity .* \(DEPTH_ZERO_SELF_SIGNED_CERT\): set LFS_AWS_CA_FILE/,
      );
      const stack = await startStack(externalEnv(endpoint, { LFS_RESOURCE_RECHECK_SECONDS: '3600' }));
      cleanup(() => stack.stop());
      expect(stack.app.problems).toEqual([expect.stringMatching(/presented a certificate LFS does not trust .*: set LFS_AWS_CA_FILE/)]);
    });

    it('refuses to start with a LFS_AWS_CA_FILE it cannot read, naming it', async () => {
      await expect(startStack(externalEnv(endpoint, { LFS_AWS_CA_FILE: join(dir, 'missing.pem') }))).rejects.toThrow(/LFS_AWS_CA_FILE: .*missing\.pem cannot be read \(ENOENT\)/);
    });
  });

  it('embedded, with LFS_LOCAL_AWS_TLS_CERT/_KEY: serves HTTPS, trusts its own certificate, and promotes an upload', async () => {
    const stack = await startStack({ LFS_LOCAL_AWS_TLS_CERT: tls.certFile, LFS_LOCAL_AWS_TLS_KEY: tls.keyFile });
    cleanup(() => stack.stop());
    const aws = stack.app.localAws!;
    expect(aws.url).toMatch(/^https:/);
    expect(await dockStatements(aws.url, aws.rootCredentials, ca)).toContain('LfsDenyInsecureTransport');
    expect(await promoteOne(stack, ca)).toBe('AVAILABLE');
  });

  it('refuses one of LFS_LOCAL_AWS_TLS_CERT and _KEY without the other', () => {
    expect(() => loadConfig({ LFS_LOCAL_AWS_TLS_CERT: tls.certFile })).toThrow(/LFS_LOCAL_AWS_TLS_CERT and LFS_LOCAL_AWS_TLS_KEY must be set together/);
  });
});
