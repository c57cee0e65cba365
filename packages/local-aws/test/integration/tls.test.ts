import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutBucketPolicyCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalS3, type StartedLocalAws } from '../helpers/local-aws.js';

const tlsOnly = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: ['arn:aws:s3:::tls', 'arn:aws:s3:::tls/*'], Condition: { Bool: { 'aws:SecureTransport': 'false' } } }],
});

/** A self-signed certificate for 127.0.0.1, made by Debian's openssl (node:crypto makes no X.509 certificates). */
function selfSigned(dir: string): { certFile: string; keyFile: string } {
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
  return { certFile, keyFile };
}

describe('HTTPS when given a certificate and key', () => {
  let dir: string;
  let env: StartedLocalAws;
  let s3: S3Client;
  let agent: Agent;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lfs-tls-'));
    const tls = selfSigned(dir);
    agent = new Agent({ ca: await readFile(tls.certFile) });
    ({ env } = await startLocalS3([], { tls }));
    s3 = env.s3({ requestHandler: { httpsAgent: agent } });
  });
  afterAll(async () => {
    await env?.stop();
    agent?.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves https, and a TLS-only bucket policy lets its requests in', async () => {
    expect(env.aws.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const { CreateBucketCommand } = await import('@aws-sdk/client-s3');
    await s3.send(new CreateBucketCommand({ Bucket: 'tls' }));
    await s3.send(new PutBucketPolicyCommand({ Bucket: 'tls', Policy: tlsOnly }));
    await s3.send(new PutObjectCommand({ Bucket: 'tls', Key: 'k', Body: 'over tls' }));
    expect(await (await s3.send(new GetObjectCommand({ Bucket: 'tls', Key: 'k' }))).Body!.transformToString()).toBe('over tls');
    const sts = new STSClient({ endpoint: env.aws.url, region: env.aws.region, credentials: { ...env.aws.rootCredentials }, requestHandler: { httpsAgent: agent } });
    expect((await sts.send(new GetCallerIdentityCommand({}))).Account).toBe(env.aws.accountId);
    sts.destroy();
  });

  it('speaks no plain HTTP on its port, and a client that does not trust the certificate is refused', async () => {
    const plain = env.aws.url.replace('https://', 'http://');
    await expect(fetch(`${plain}/tls/k`)).rejects.toThrow();
    const untrusting = env.s3();
    await expect(untrusting.send(new GetObjectCommand({ Bucket: 'tls', Key: 'k' }))).rejects.toThrow(/self[- ]signed|certificate/i);
  });
});
