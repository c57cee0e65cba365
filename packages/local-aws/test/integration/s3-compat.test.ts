import { createHash } from 'node:crypto';
import { request } from 'node:http';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutBucketCorsCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsRefusal } from '../helpers/aws-errors.js';
import { startLocalAws, startLocalS3, type StartedLocalAws } from '../helpers/local-aws.js';
import { presignedUrl, signedFetch } from '../helpers/signed-fetch.js';

const md5 = (data: string) => createHash('md5').update(data).digest('hex');
const element = (xml: string, name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];

/** The smaller differences from S3 that tools notice, each as S3 answers it. */
describe('local S3: answers as S3 gives them', () => {
  let env: StartedLocalAws;
  let s3: S3Client;
  const sign = () => ({ credentials: env.aws.rootCredentials, region: env.aws.region });

  beforeAll(async () => {
    ({ env, s3 } = await startLocalS3(['compat', 'cors-bucket']));
    await s3.send(new PutObjectCommand({ Bucket: 'compat', Key: 'object', Body: 'content' }));
  });
  afterAll(() => env?.stop());

  describe('presigned URLs', () => {
    const url = () => `${env.aws.url}/compat/object`;
    const withExpires = (signed: string, value: string) => {
      const out = new URL(signed);
      out.searchParams.set('X-Amz-Expires', value);
      return out.toString();
    };

    it('refuses X-Amz-Expires past a week, negative or not a number with AuthorizationQueryParametersError (400)', async () => {
      const signed = await presignedUrl(url(), { ...sign(), expiresIn: 60 });
      for (const [value, message] of [
        ['604801', 'X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds'],
        ['-1', 'X-Amz-Expires must be non-negative'],
        ['soon', 'X-Amz-Expires should be a number'],
      ]) {
        const response = await fetch(withExpires(signed, value));
        const xml = await response.text();
        expect({ status: response.status, code: element(xml, 'Code'), message: element(xml, 'Message') }).toEqual({ status: 400, code: 'AuthorizationQueryParametersError', message });
      }
    });

    it('answers an expired URL, or one valid for 0 seconds, with 403 AccessDenied "Request has expired" and the times', async () => {
      const old = await presignedUrl(url(), { ...sign(), expiresIn: 60, signingDate: new Date(Date.now() - 120_000) });
      const response = await fetch(old);
      const xml = await response.text();
      expect(response.status).toBe(403);
      expect(element(xml, 'Code')).toBe('AccessDenied');
      expect(element(xml, 'Message')).toBe('Request has expired');
      expect(element(xml, 'X-Amz-Expires')).toBe('60');
      expect(Date.parse(element(xml, 'Expires')!)).toBeLessThan(Date.parse(element(xml, 'ServerTime')!));
      const zero = await fetch(withExpires(await presignedUrl(url(), { ...sign(), expiresIn: 60 }), '0'));
      expect(zero.status).toBe(403);
      expect(element(await zero.text(), 'Message')).toBe('Request has expired');
    });

    it('serves a URL valid for the whole week, and refuses one missing a parameter or signed for another method', async () => {
      expect(await (await fetch(await presignedUrl(url(), { ...sign(), expiresIn: 604800 }))).text()).toBe('content');
      const signed = new URL(await presignedUrl(url(), { ...sign(), expiresIn: 60 }));
      signed.searchParams.delete('X-Amz-Signature');
      const missing = await fetch(signed);
      expect(missing.status).toBe(400);
      expect(element(await missing.text(), 'Code')).toBe('AuthorizationQueryParametersError');
      const forGet = await presignedUrl(url(), { ...sign(), expiresIn: 60 });
      const put = await fetch(forGet, { method: 'PUT', body: 'other' });
      expect(put.status).toBe(403);
      expect(element(await put.text(), 'Code')).toBe('SignatureDoesNotMatch');
    });
  });

  describe('CORS', () => {
    const origin = 'https://app.example';
    beforeAll(async () => {
      await s3.send(
        new PutBucketCorsCommand({
          Bucket: 'cors-bucket',
          CORSConfiguration: { CORSRules: [{ AllowedOrigins: [origin], AllowedMethods: ['GET', 'PUT', 'POST', 'HEAD'], AllowedHeaders: ['*'], ExposeHeaders: ['ETag'] }] },
        }),
      );
      await s3.send(new PutObjectCommand({ Bucket: 'cors-bucket', Key: 'object', Body: 'content' }));
    });

    it.each([
      ['a presigned GET (the query string repeated)', 'GET', '/cors-bucket/object?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=00'],
      ['GetObjectAttributes', 'GET', '/cors-bucket/object?attributes'],
      ['a part of an object', 'GET', '/cors-bucket/object?partNumber=1'],
      ['ListObjects v1', 'GET', '/cors-bucket?marker=a'],
      ['a form upload', 'POST', '/cors-bucket'],
      ['a sub-resource not implemented', 'PUT', '/cors-bucket/object?tagging'],
    ])('answers the preflight of %s from the rules', async (_name, method, path) => {
      const response = await fetch(`${env.aws.url}${path}`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': method } });
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBe(origin);
      expect(response.headers.get('access-control-allow-methods')).toBe('GET, PUT, POST, HEAD');
    });

    it('adds its headers to successes and to refusals alike: a presigned GET, an expired one, a form upload', async () => {
      const good = await fetch(await presignedUrl(`${env.aws.url}/cors-bucket/object`, { ...sign(), expiresIn: 60 }), { headers: { origin } });
      expect(good.status).toBe(200);
      expect(good.headers.get('access-control-allow-origin')).toBe(origin);
      expect(good.headers.get('access-control-expose-headers')).toBe('ETag');
      const expired = await fetch(await presignedUrl(`${env.aws.url}/cors-bucket/object`, { ...sign(), expiresIn: 1, signingDate: new Date(Date.now() - 60_000) }), { headers: { origin } });
      expect(expired.status).toBe(403);
      expect(expired.headers.get('access-control-allow-origin')).toBe(origin);
      const form = new FormData();
      form.append('key', 'anonymous');
      form.append('file', new Blob(['x']));
      const refused = await fetch(`${env.aws.url}/cors-bucket`, { method: 'POST', body: form, headers: { origin } });
      expect(refused.status).toBe(403);
      expect(refused.headers.get('access-control-allow-origin')).toBe(origin);
      const other = await fetch(`${env.aws.url}/cors-bucket/object?attributes`, { headers: { origin: 'https://evil.example' } });
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
    });
  });

  describe('encryption', () => {
    it('refuses SSE headers on a GET or HEAD of an SSE-KMS or SSE-S3 object (400 InvalidArgument)', async () => {
      await s3.send(new PutObjectCommand({ Bucket: 'compat', Key: 'kms', Body: 'x', ServerSideEncryption: 'aws:kms' }));
      for (const key of ['kms', 'object']) {
        const response = await signedFetch(`${env.aws.url}/compat/${key}`, { ...sign(), headers: { 'x-amz-server-side-encryption': 'aws:kms' } });
        expect(response.status).toBe(400);
        const xml = await response.text();
        expect(element(xml, 'Code')).toBe('InvalidArgument');
        expect(element(xml, 'Message')).toBe('x-amz-server-side-encryption header is not supported for this operation.');
        expect((await signedFetch(`${env.aws.url}/compat/${key}`, { ...sign(), method: 'HEAD', headers: { 'x-amz-server-side-encryption': 'AES256' } })).status).toBe(400);
      }
    });

    it('refuses SSE-C together with SSE-KMS or SSE-S3, and SSE-C alone (not implemented) rather than storing the object under another key', async () => {
      const customer = { SSECustomerAlgorithm: 'AES256', SSECustomerKey: 'k'.repeat(32) };
      for (const ServerSideEncryption of ['aws:kms', 'AES256'] as const) {
        expect(await awsRefusal(s3.send(new PutObjectCommand({ Bucket: 'compat', Key: 'both', Body: 'x', ServerSideEncryption, ...customer })))).toEqual({ code: 'InvalidArgument', status: 400 });
      }
      expect(await awsRefusal(s3.send(new PutObjectCommand({ Bucket: 'compat', Key: 'customer', Body: 'x', ...customer })))).toEqual({ code: 'NotImplemented', status: 501 });
      expect(await awsRefusal(s3.send(new HeadObjectCommand({ Bucket: 'compat', Key: 'customer' })))).toEqual({ code: 'NotFound', status: 404 });
      expect(await awsRefusal(s3.send(new GetObjectCommand({ Bucket: 'compat', Key: 'object', ...customer })))).toEqual({ code: 'InvalidRequest', status: 400 });
    });

    it('uses the account default aws/s3 key for aws:kms without a key id', async () => {
      const put = await s3.send(new PutObjectCommand({ Bucket: 'compat', Key: 'default-key', Body: 'x', ServerSideEncryption: 'aws:kms' }));
      const defaultKey = env.aws.ensureKey('alias/aws/s3').arn;
      expect(put.SSEKMSKeyId).toBe(defaultKey);
      expect((await s3.send(new HeadObjectCommand({ Bucket: 'compat', Key: 'default-key' }))).SSEKMSKeyId).toBe(defaultKey);
    });
  });

  describe('checksums and digests', () => {
    it('answers a wrong x-amz-checksum with BadDigest, a malformed one with InvalidRequest, a malformed Content-MD5 with InvalidDigest', async () => {
      const wrong = await awsRefusal(s3.send(new PutObjectCommand({ Bucket: 'compat', Key: 'sum', Body: 'abc', ChecksumCRC32: 'AAAAAA==' })));
      expect(wrong).toEqual({ code: 'BadDigest', status: 400 });
      const malformed = await awsRefusal(s3.send(new PutObjectCommand({ Bucket: 'compat', Key: 'sum', Body: 'abc', ChecksumCRC32: 'not base64!' })));
      expect(malformed).toEqual({ code: 'InvalidRequest', status: 400 });
      const badMd5 = await signedFetch(`${env.aws.url}/compat/sum`, { ...sign(), method: 'PUT', body: 'abc', headers: { 'content-md5': 'short' } });
      expect(element(await badMd5.text(), 'Code')).toBe('InvalidDigest');
      const wrongMd5 = await signedFetch(`${env.aws.url}/compat/sum`, { ...sign(), method: 'PUT', body: 'abc', headers: { 'content-md5': createHash('md5').update('abd').digest('base64') } });
      expect(element(await wrongMd5.text(), 'Code')).toBe('BadDigest');
      expect(await awsRefusal(s3.send(new HeadObjectCommand({ Bucket: 'compat', Key: 'sum' })))).toEqual({ code: 'NotFound', status: 404 });
    });
  });

  describe('smaller ones', () => {
    it('answers a conditional GET with 304 carrying ETag and Last-Modified, and ignores If-Modified-Since in the future', async () => {
      const head = await s3.send(new HeadObjectCommand({ Bucket: 'compat', Key: 'object' }));
      const notModified = await signedFetch(`${env.aws.url}/compat/object`, { ...sign(), headers: { 'if-none-match': head.ETag! } });
      expect(notModified.status).toBe(304);
      expect(notModified.headers.get('etag')).toBe(`"${md5('content')}"`);
      expect(notModified.headers.get('last-modified')).toBe(head.LastModified!.toUTCString());
      const future = await signedFetch(`${env.aws.url}/compat/object`, { ...sign(), headers: { 'if-modified-since': new Date(Date.now() + 86_400_000).toUTCString() } });
      expect(future.status).toBe(200);
    });

    it('joins several Content-Encoding headers with ", "', async () => {
      await s3.send(
        new PutBucketPolicyCommand({
          Bucket: 'compat',
          Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:PutObject', Resource: 'arn:aws:s3:::compat/public/*' }] }),
        }),
      );
      const target = new URL(`${env.aws.url}/compat/public/encoded`);
      const status = await new Promise<number>((resolve, reject) => {
        // Repeated header lines, as a proxy or a hand-written client may send them.
        const req = request({ host: target.hostname, port: target.port, path: target.pathname, method: 'PUT', headers: ['host', target.host, 'content-encoding', 'gzip', 'content-encoding', 'br', 'content-length', '1'] }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        });
        req.on('error', reject);
        req.end('x');
      });
      expect(status).toBe(200);
      expect((await s3.send(new HeadObjectCommand({ Bucket: 'compat', Key: 'public/encoded' }))).ContentEncoding).toBe('gzip, br');
    });

    it('answers CreateBucket of a bucket one owns with BucketAlreadyOwnedByYou outside us-east-1 (200 OK in it)', async () => {
      const elsewhere = await startLocalAws({ region: 'eu-west-1' });
      try {
        const client = elsewhere.s3();
        await client.send(new CreateBucketCommand({ Bucket: 'twice', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
        expect(await awsRefusal(client.send(new CreateBucketCommand({ Bucket: 'twice', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } })))).toEqual({ code: 'BucketAlreadyOwnedByYou', status: 409 });
      } finally {
        await elsewhere.stop();
      }
      expect((await s3.send(new CreateBucketCommand({ Bucket: 'compat' }))).$metadata.httpStatusCode).toBe(200);
    });
  });

  describe('bucket policies', () => {
    let sessionOf: (role: string) => Promise<S3Client>;
    beforeAll(() => {
      const sts = new STSClient({ endpoint: env.aws.url, region: env.aws.region, credentials: env.aws.rootCredentials });
      sessionOf = async (name) => {
        const role = env.aws.putRole({ name, policies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:*', 'kms:*'], Resource: '*' }] }] });
        const { Credentials } = await sts.send(new AssumeRoleCommand({ RoleArn: role.arn, RoleSessionName: 'session' }));
        return env.s3({ credentials: { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken! } });
      };
    });

    it('denies everyone but the principals NotPrincipal names', async () => {
      await s3.send(new CreateBucketCommand({ Bucket: 'not-principal' }));
      await s3.send(new PutObjectCommand({ Bucket: 'not-principal', Key: 'k', Body: 'x' }));
      const reader = await sessionOf('reader');
      const other = await sessionOf('other');
      const account = env.aws.accountId;
      await s3.send(
        new PutBucketPolicyCommand({
          Bucket: 'not-principal',
          Policy: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Deny',
                NotPrincipal: { AWS: [`arn:aws:iam::${account}:root`, `arn:aws:iam::${account}:role/reader`, `arn:aws:sts::${account}:assumed-role/reader/session`] },
                Action: 's3:GetObject',
                Resource: 'arn:aws:s3:::not-principal/*',
              },
            ],
          }),
        }),
      );
      expect(await (await reader.send(new GetObjectCommand({ Bucket: 'not-principal', Key: 'k' }))).Body!.transformToString()).toBe('x');
      expect(await awsRefusal(other.send(new GetObjectCommand({ Bucket: 'not-principal', Key: 'k' })))).toEqual({ code: 'AccessDenied', status: 403 });
      expect((await s3.send(new GetObjectCommand({ Bucket: 'not-principal', Key: 'k' }))).$metadata.httpStatusCode).toBe(200);
    });

    it('answers 403 AccessDenied when a condition on the SSE algorithm does not hold', async () => {
      await s3.send(new CreateBucketCommand({ Bucket: 'kms-required' }));
      await s3.send(
        new PutBucketPolicyCommand({
          Bucket: 'kms-required',
          Policy: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: 'arn:aws:s3:::kms-required/*', Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' } } }],
          }),
        }),
      );
      const writer = await sessionOf('writer');
      for (const client of [s3, writer]) {
        expect(await awsRefusal(client.send(new PutObjectCommand({ Bucket: 'kms-required', Key: 'plain', Body: 'x', ServerSideEncryption: 'AES256' })))).toEqual({ code: 'AccessDenied', status: 403 });
        expect(await awsRefusal(client.send(new PutObjectCommand({ Bucket: 'kms-required', Key: 'plain', Body: 'x' })))).toEqual({ code: 'AccessDenied', status: 403 });
        expect(await awsRefusal(client.send(new PutObjectCommand({ Bucket: 'kms-required', Key: 'plain', Body: 'x', ServerSideEncryption: 'aws:kms:dsse' })))).toEqual({ code: 'AccessDenied', status: 403 });
        expect((await client.send(new PutObjectCommand({ Bucket: 'kms-required', Key: 'sealed', Body: 'x', ServerSideEncryption: 'aws:kms' }))).$metadata.httpStatusCode).toBe(200);
      }
    });
  });
});
