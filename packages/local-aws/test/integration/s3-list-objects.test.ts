import { ListObjectsCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsRefusal } from '../helpers/aws-errors.js';
import { awsCli, cliErrorCode, findAwsCli } from '../helpers/awscli.js';
import { needs } from '../helpers/outside-tools.js';
import { startLocalS3, type StartedLocalAws } from '../helpers/local-aws.js';
import { signedFetch } from '../helpers/signed-fetch.js';

const cli = findAwsCli();
const hasCli = needs({ name: 'the AWS CLI', path: cli, debianPackage: 'awscli', variable: 'LFS_TEST_AWS_CLI' });

/** ListObjects (version 1), as AWS answers it (the S3 API reference and answers recorded from S3). */
describe('local S3: ListObjects (v1)', () => {
  let env: StartedLocalAws;
  let s3: S3Client;
  const keys = ['folder/aSubfolder/subFile1', 'folder/aSubfolder/subFile2', 'folder/file1', 'folder/file2', 'top', 'with space+plus'];

  beforeAll(async () => {
    ({ env, s3 } = await startLocalS3(['list-v1']));
    for (const Key of keys) await s3.send(new PutObjectCommand({ Bucket: 'list-v1', Key, Body: 'x' }));
  });
  afterAll(() => env?.stop());

  it('lists every key with its owner, and pages by marker (no NextMarker without a delimiter)', async () => {
    const all = await s3.send(new ListObjectsCommand({ Bucket: 'list-v1' }));
    expect(all.Contents?.map((o) => o.Key)).toEqual(keys);
    expect(all.IsTruncated).toBe(false);
    expect(all.Marker).toBe('');
    expect(all.MaxKeys).toBe(1000);
    expect(all.Contents?.[0].Owner?.ID).toBe(env.aws.accountId);
    expect(all.Contents?.[0].ETag).toBe('"9dd4e461268c8034f5c8564e155c67a6"');

    const first = await s3.send(new ListObjectsCommand({ Bucket: 'list-v1', MaxKeys: 2 }));
    expect(first.Contents?.map((o) => o.Key)).toEqual(keys.slice(0, 2));
    expect(first.IsTruncated).toBe(true);
    expect(first.NextMarker).toBeUndefined();
    const rest = await s3.send(new ListObjectsCommand({ Bucket: 'list-v1', Marker: first.Contents![1].Key, MaxKeys: 10 }));
    expect(rest.Contents?.map((o) => o.Key)).toEqual(keys.slice(2));
    expect(rest.Marker).toBe(first.Contents![1].Key);
    expect(rest.IsTruncated).toBe(false);
  });

  it('rolls keys up into common prefixes, with NextMarker naming the last one returned and skipping it on resume', async () => {
    const start = await s3.send(new ListObjectsCommand({ Bucket: 'list-v1', Prefix: 'folder/', Delimiter: '/', MaxKeys: 1 }));
    expect(start.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['folder/aSubfolder/']);
    expect(start.Contents).toBeUndefined();
    expect(start.IsTruncated).toBe(true);
    expect(start.NextMarker).toBe('folder/aSubfolder/');
    const next = await s3.send(new ListObjectsCommand({ Bucket: 'list-v1', Prefix: 'folder/', Delimiter: '/', MaxKeys: 1, Marker: start.NextMarker }));
    expect(next.Contents?.map((o) => o.Key)).toEqual(['folder/file1']);
    expect(next.NextMarker).toBe('folder/file1');
    const end = await s3.send(new ListObjectsCommand({ Bucket: 'list-v1', Prefix: 'folder/', Delimiter: '/', MaxKeys: 1, Marker: next.NextMarker }));
    expect(end.Contents?.map((o) => o.Key)).toEqual(['folder/file2']);
    expect(end.IsTruncated).toBe(false);
    expect(end.NextMarker).toBeUndefined();
    // A marker inside a common prefix skips the rest of that prefix too.
    const inside = await s3.send(new ListObjectsCommand({ Bucket: 'list-v1', Prefix: 'folder/', Delimiter: '/', MaxKeys: 1, Marker: 'folder/aSubfolder/subFile1' }));
    expect(inside.Contents?.map((o) => o.Key)).toEqual(['folder/file1']);
  });

  it('encodes names with encoding-type=url and refuses any other encoding', async () => {
    const raw = await fetchListing(env, 'list-v1?prefix=with&encoding-type=url');
    expect(raw).toContain('<Key>with%20space%2Bplus</Key>');
    expect(raw).toContain('<EncodingType>url</EncodingType>');
    const plain = await fetchListing(env, 'list-v1?prefix=with');
    expect(plain).toContain('<Key>with space+plus</Key>');
    // The SDK asks for url encoding and decodes it back.
    expect((await s3.send(new ListObjectsCommand({ Bucket: 'list-v1', Prefix: 'with' }))).Contents?.[0].Key).toBe('with space+plus');
    expect(await awsRefusal(s3.send(new ListObjectsCommand({ Bucket: 'list-v1', EncodingType: 'base64' as 'url' })))).toEqual({ code: 'InvalidArgument', status: 400 });
  });

  it('answers max-keys=0 with nothing and no truncation, and refuses a negative max-keys', async () => {
    const none = await s3.send(new ListObjectsCommand({ Bucket: 'list-v1', MaxKeys: 0 }));
    expect(none.Contents).toBeUndefined();
    expect(none.IsTruncated).toBe(false);
    expect(await awsRefusal(s3.send(new ListObjectsCommand({ Bucket: 'list-v1', MaxKeys: -1 })))).toEqual({ code: 'InvalidArgument', status: 400 });
  });

  it('pages ListObjectsV2 through common prefixes with the same rules', async () => {
    const first = await s3.send(new ListObjectsV2Command({ Bucket: 'list-v1', Prefix: 'folder/', Delimiter: '/', MaxKeys: 1 }));
    expect(first.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['folder/aSubfolder/']);
    const second = await s3.send(new ListObjectsV2Command({ Bucket: 'list-v1', Prefix: 'folder/', Delimiter: '/', MaxKeys: 5, ContinuationToken: first.NextContinuationToken }));
    expect(second.Contents?.map((o) => o.Key)).toEqual(['folder/file1', 'folder/file2']);
    const after = await s3.send(new ListObjectsV2Command({ Bucket: 'list-v1', StartAfter: 'folder/aSubfolder/subFile1', Prefix: 'folder/', Delimiter: '/' }));
    expect(after.CommonPrefixes).toBeUndefined();
    expect(after.Contents?.map((o) => o.Key)).toEqual(['folder/file1', 'folder/file2']);
  });

  it.skipIf(!hasCli)('answers `aws s3api list-objects`, paging one key at a time through markers and NextMarker', async () => {
    const aws = awsCli({ bin: cli!, endpoint: env.aws.url, region: env.aws.region, credentials: env.aws.rootCredentials });
    const listed = await aws.json<{ Contents: { Key: string; Owner: { ID: string } }[] }>(['s3api', 'list-objects', '--bucket', 'list-v1', '--prefix', 'folder/']);
    expect(listed.Contents.map((o) => o.Key)).toEqual(keys.slice(0, 4));
    // The CLI pages by itself (marker and NextMarker) when it asks for one key at a time.
    const paged = await aws.json<{ Contents: { Key: string }[] }>(['s3api', 'list-objects', '--bucket', 'list-v1', '--page-size', '1']);
    expect(paged.Contents.map((o) => o.Key)).toEqual(keys);
    const delimited = await aws.json<{ CommonPrefixes: { Prefix: string }[] }>(['s3api', 'list-objects', '--bucket', 'list-v1', '--delimiter', '/', '--page-size', '1']);
    expect(delimited.CommonPrefixes.map((p) => p.Prefix)).toEqual(['folder/']);
    const missing = await aws.run(['s3api', 'list-objects', '--bucket', 'no-such-bucket']);
    expect(cliErrorCode(missing)).toBe('NoSuchBucket');
  });
});

async function fetchListing(env: StartedLocalAws, path: string): Promise<string> {
  return (await signedFetch(`${env.aws.url}/${path}`, { credentials: env.aws.rootCredentials, region: env.aws.region })).text();
}
