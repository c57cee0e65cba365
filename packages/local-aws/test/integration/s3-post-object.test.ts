import { createHash, randomBytes } from 'node:crypto';
import { GetObjectCommand, HeadObjectCommand, PutBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost, type PresignedPostOptions } from '@aws-sdk/s3-presigned-post';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsRefusal } from '../helpers/aws-errors.js';
import { startLocalS3, type StartedLocalAws } from '../helpers/local-aws.js';

const MiB = 1024 * 1024;

/** A browser-like form post: the fields in order, the file last. */
async function post(url: string, fields: Record<string, string>, file: Buffer | string, filename = 'upload.bin'): Promise<Response> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append('file', new Blob([typeof file === 'string' ? file : new Uint8Array(file)]), filename);
  return fetch(url, { method: 'POST', body: form, redirect: 'manual' });
}

/** The text of an XML document with its entities read back. */
const unescape = (xml: string) => xml.replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

function errorOf(text: string): { code?: string; message?: string } {
  const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1];
  return { code: /<Code>([^<]*)<\/Code>/.exec(text)?.[1], message: message === undefined ? undefined : unescape(message) };
}

describe('local S3: POST Object (browser form uploads with a signed policy)', () => {
  let env: StartedLocalAws;
  let s3: S3Client;
  const presign = (options: Omit<PresignedPostOptions, 'Bucket'> & { Bucket?: string }) => createPresignedPost(s3, { Bucket: 'forms', Expires: 60, ...options });

  beforeAll(async () => {
    ({ env, s3 } = await startLocalS3(['forms', 'open-forms']));
  });
  afterAll(() => env?.stop());

  it('stores the file with the form metadata and answers 204 with its ETag and Location', async () => {
    const body = randomBytes(100_000);
    const { url, fields } = await presign({
      Key: 'uploads/${filename}',
      Fields: { 'Content-Type': 'image/png', 'x-amz-meta-owner': 'alice' },
      Conditions: [['content-length-range', 1, MiB], ['starts-with', '$Content-Type', 'image/']],
    });
    const response = await post(url, fields, body, 'cat.png');
    expect(response.status).toBe(204);
    expect(response.headers.get('etag')).toBe(`"${createHash('md5').update(body).digest('hex')}"`);
    expect(response.headers.get('location')).toBe(`${env.aws.url}/forms/uploads/cat.png`);
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'forms', Key: 'uploads/cat.png' }));
    expect(head.ContentType).toBe('image/png');
    expect(head.Metadata).toEqual({ owner: 'alice' });
    expect(head.ContentLength).toBe(body.length);
  });

  it('answers 201 with a PostResponse document, or 303 to success_action_redirect', async () => {
    const created = await presign({ Key: 'created', Fields: { success_action_status: '201' } });
    const response = await post(created.url, created.fields, 'hello');
    expect(response.status).toBe(201);
    const xml = unescape(await response.text());
    expect(xml).toContain('<Bucket>forms</Bucket>');
    expect(xml).toContain('<Key>created</Key>');
    expect(xml).toContain(`<ETag>"${createHash('md5').update('hello').digest('hex')}"</ETag>`);
    expect(xml).toContain(`<Location>${env.aws.url}/forms/created</Location>`);
    const redirected = await presign({ Key: 'redirected', Fields: { success_action_redirect: 'https://app.example/done?x=1' } });
    const moved = await post(redirected.url, redirected.fields, 'hello');
    expect(moved.status).toBe(303);
    const location = new URL(moved.headers.get('location')!);
    expect(location.origin + location.pathname).toBe('https://app.example/done');
    expect(Object.fromEntries(location.searchParams)).toEqual({ x: '1', bucket: 'forms', key: 'redirected', etag: `"${createHash('md5').update('hello').digest('hex')}"` });
  });

  it('refuses a form that breaks a condition or carries a field the policy does not name, storing nothing', async () => {
    const { url, fields } = await presign({ Key: 'guarded', Fields: { 'Content-Type': 'image/png' } });
    const wrongType = await post(url, { ...fields, 'Content-Type': 'text/html' }, 'x');
    expect(wrongType.status).toBe(403);
    expect(errorOf(await wrongType.text())).toEqual({ code: 'AccessDenied', message: 'Invalid according to Policy: Policy Condition failed: ["eq", "$Content-Type", "image/png"]' });
    const otherKey = await post(url, { ...fields, key: 'elsewhere' }, 'x');
    expect(errorOf(await otherKey.text()).message).toBe('Invalid according to Policy: Policy Condition failed: ["eq", "$key", "guarded"]');
    const extra = await post(url, { ...fields, 'x-amz-meta-sneaky': 'yes' }, 'x');
    expect(extra.status).toBe(403);
    expect(errorOf(await extra.text()).message).toBe('Invalid according to Policy: Extra input fields: x-amz-meta-sneaky');
    // x-ignore- fields are allowed without a condition.
    expect((await post(url, { ...fields, 'x-ignore-tracking': '1' }, 'x')).status).toBe(204);
    expect(await awsRefusal(s3.send(new HeadObjectCommand({ Bucket: 'forms', Key: 'elsewhere' })))).toEqual({ code: 'NotFound', status: 404 });
  });

  it('enforces content-length-range with EntityTooLarge and EntityTooSmall, naming the sizes', async () => {
    const { url, fields } = await presign({ Key: 'sized', Conditions: [['content-length-range', 5, 10]] });
    const large = await post(url, fields, 'x'.repeat(12));
    expect(large.status).toBe(400);
    const largeXml = await large.text();
    expect(errorOf(largeXml).code).toBe('EntityTooLarge');
    expect(largeXml).toContain('<ProposedSize>12</ProposedSize>');
    expect(largeXml).toContain('<MaxSizeAllowed>10</MaxSizeAllowed>');
    const small = await post(url, fields, 'x');
    expect(errorOf(await small.text()).code).toBe('EntityTooSmall');
    expect((await post(url, fields, 'x'.repeat(10))).status).toBe(204);
  });

  it('refuses an expired policy, an altered policy and a wrong signature', async () => {
    const expired = await presign({ Key: 'late', Expires: -10 });
    const late = await post(expired.url, expired.fields, 'x');
    expect(late.status).toBe(403);
    expect(errorOf(await late.text())).toEqual({ code: 'AccessDenied', message: 'Invalid according to Policy: Policy expired.' });
    const { url, fields } = await presign({ Key: 'signed' });
    const policy = JSON.parse(Buffer.from(fields.Policy, 'base64').toString());
    policy.conditions.push(['starts-with', '$key', '']);
    const altered = await post(url, { ...fields, Policy: Buffer.from(JSON.stringify(policy)).toString('base64') }, 'x');
    expect(altered.status).toBe(403);
    expect(errorOf(await altered.text()).code).toBe('SignatureDoesNotMatch');
    const unsigned = { ...fields };
    delete (unsigned as Record<string, string>)['X-Amz-Signature'];
    const missing = await post(url, unsigned, 'x');
    expect(missing.status).toBe(400);
    expect(errorOf(await missing.text()).code).toBe('InvalidArgument');
  });

  it('verifies an x-amz-checksum field (BadDigest on a mismatch) and stores it', async () => {
    const body = Buffer.from('checked body');
    const good = createHash('sha256').update(body).digest('base64');
    const right = await presign({ Key: 'checked', Fields: { 'x-amz-checksum-sha256': good } });
    expect((await post(right.url, right.fields, body)).status).toBe(204);
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'forms', Key: 'checked', ChecksumMode: 'ENABLED' }));
    expect(head.ChecksumSHA256).toBe(good);
    const wrong = await presign({ Key: 'unchecked', Fields: { 'x-amz-checksum-sha256': createHash('sha256').update('else').digest('base64') } });
    const refused = await post(wrong.url, wrong.fields, body);
    expect(refused.status).toBe(400);
    expect(errorOf(await refused.text()).code).toBe('BadDigest');
    expect(await awsRefusal(s3.send(new HeadObjectCommand({ Bucket: 'forms', Key: 'unchecked' })))).toEqual({ code: 'NotFound', status: 404 });
  });

  it('encrypts as the form asks, and a bucket policy on the SSE algorithm decides with the form fields', async () => {
    const keyArn = env.aws.ensureKey('alias/forms').arn;
    const kms = await presign({ Key: 'sealed', Fields: { 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-aws-kms-key-id': keyArn } });
    const response = await post(kms.url, kms.fields, 'secret');
    expect(response.status).toBe(204);
    expect(response.headers.get('x-amz-server-side-encryption')).toBe('aws:kms');
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'forms', Key: 'sealed' }));
    expect(head.SSEKMSKeyId).toBe(keyArn);
    await s3.send(
      new PutBucketPolicyCommand({
        Bucket: 'forms',
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: 'arn:aws:s3:::forms/kms-only/*', Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' } } }],
        }),
      }),
    );
    const plain = await presign({ Key: 'kms-only/plain', Fields: { 'x-amz-server-side-encryption': 'AES256' } });
    const denied = await post(plain.url, plain.fields, 'x');
    expect(denied.status).toBe(403);
    expect(errorOf(await denied.text()).code).toBe('AccessDenied');
    const sealed = await presign({ Key: 'kms-only/sealed', Fields: { 'x-amz-server-side-encryption': 'aws:kms' } });
    expect((await post(sealed.url, sealed.fields, 'x')).status).toBe(204);
  });

  it('lets temporary credentials post only where their session policy allows (the one key LFS hands out)', async () => {
    const role = env.aws.putRole({ name: 'form-uploader', policies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::forms/*' }] }] });
    const sts = new STSClient({ endpoint: env.aws.url, region: env.aws.region, credentials: env.aws.rootCredentials });
    const session = await sts.send(
      new AssumeRoleCommand({
        RoleArn: role.arn,
        RoleSessionName: 'browser',
        Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::forms/tickets/one' }] }),
      }),
    );
    sts.destroy();
    const scoped = env.s3({ credentials: { accessKeyId: session.Credentials!.AccessKeyId!, secretAccessKey: session.Credentials!.SecretAccessKey!, sessionToken: session.Credentials!.SessionToken! } });
    const mine = await createPresignedPost(scoped, { Bucket: 'forms', Key: 'tickets/one', Expires: 60 });
    expect(mine.fields['X-Amz-Security-Token']).toBeDefined();
    expect((await post(mine.url, mine.fields, 'mine')).status).toBe(204);
    const theirs = await createPresignedPost(scoped, { Bucket: 'forms', Key: 'tickets/two', Expires: 60 });
    const refused = await post(theirs.url, theirs.fields, 'theirs');
    expect(refused.status).toBe(403);
    expect(errorOf(await refused.text()).code).toBe('AccessDenied');
  });

  it('takes an anonymous form (no policy) only where a bucket policy lets anyone write', async () => {
    const fields = { key: 'anonymous' };
    const closed = await post(`${env.aws.url}/forms`, fields, 'x');
    expect(closed.status).toBe(403);
    await s3.send(
      new PutBucketPolicyCommand({
        Bucket: 'open-forms',
        Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:PutObject', Resource: 'arn:aws:s3:::open-forms/*' }] }),
      }),
    );
    expect((await post(`${env.aws.url}/open-forms`, fields, 'x')).status).toBe(204);
  });

  it('keeps tags from the tagging field, and refuses a body that is not a form or has no key or file', async () => {
    const tagging = '<Tagging><TagSet><Tag><Key>project</Key><Value>lfs</Value></Tag></TagSet></Tagging>';
    const tagged = await presign({ Key: 'tagged', Fields: { tagging } });
    expect((await post(tagged.url, tagged.fields, 'x')).status).toBe(204);
    expect((await s3.send(new GetObjectCommand({ Bucket: 'forms', Key: 'tagged' }))).TagCount).toBe(1);
    const notForm = await fetch(`${env.aws.url}/forms`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'key=x' });
    expect(notForm.status).toBe(412);
    expect(errorOf(await notForm.text()).code).toBe('PreconditionFailed');
    const { url, fields } = await presign({ Key: 'nofile' });
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    const noFile = await fetch(url, { method: 'POST', body: form });
    expect(noFile.status).toBe(400);
    expect(errorOf(await noFile.text()).code).toBe('IncorrectNumberOfFilesInPostRequest');
    const noKey = await post(url, Object.fromEntries(Object.entries(fields).filter(([name]) => name !== 'key')), 'x');
    expect(errorOf(await noKey.text()).code).toBe('InvalidArgument');
  });

  it('streams a large file without holding it', async () => {
    const body = randomBytes(24 * MiB);
    const { url, fields } = await presign({ Key: 'large' });
    expect((await post(url, fields, body)).status).toBe(204);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'forms', Key: 'large' }));
    expect(createHash('sha256').update(await got.Body!.transformToByteArray()).digest('hex')).toBe(createHash('sha256').update(body).digest('hex'));
  });
});
