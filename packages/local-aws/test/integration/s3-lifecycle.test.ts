import {
  CreateBucketCommand,
  GetBucketLifecycleConfigurationCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutBucketLifecycleConfigurationCommand,
  PutObjectCommand,
  S3Client,
  type LifecycleRule,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { awsRefusal } from '../helpers/aws-errors.js';
import { startLocalAws, type StartedLocalAws } from '../helpers/local-aws.js';

const DAY = 86_400_000;

describe('local S3: lifecycle rules with filters', () => {
  let env: StartedLocalAws;
  let s3: S3Client;
  const put = (Bucket: string, Rules: LifecycleRule[]) => s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket, LifecycleConfiguration: { Rules } }));

  beforeAll(async () => {
    env = await startLocalAws();
    s3 = env.s3();
    for (const Bucket of ['rules', 'announced']) await s3.send(new CreateBucketCommand({ Bucket }));
  });
  afterAll(() => env?.stop());

  it('accepts filters by prefix, tag, size, And, and an empty filter, and answers them back as they were put', async () => {
    const rules: LifecycleRule[] = [
      { ID: 'everything', Status: 'Disabled', Filter: {}, Expiration: { Days: 30 } },
      { ID: 'logs', Status: 'Enabled', Filter: { Prefix: 'logs/' }, Expiration: { Days: 7 }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 2 } },
      { ID: 'tagged', Status: 'Enabled', Filter: { Tag: { Key: 'temp', Value: 'yes' } }, Expiration: { Days: 1 } },
      { ID: 'big', Status: 'Enabled', Filter: { ObjectSizeGreaterThan: 1000 }, Expiration: { Days: 3 } },
      {
        ID: 'combined',
        Status: 'Enabled',
        Filter: { And: { Prefix: 'tmp/', Tags: [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }], ObjectSizeGreaterThan: 10, ObjectSizeLessThan: 500 } },
        Expiration: { Date: new Date('2031-01-01T00:00:00Z') },
      },
      { ID: 'archive', Status: 'Enabled', Filter: { Prefix: 'old/' }, Transitions: [{ Days: 30, StorageClass: 'GLACIER' }] },
    ];
    await put('rules', rules);
    const got = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'rules' }));
    expect(got.Rules).toEqual(rules);
  });

  it('gives a rule without an ID one of its own', async () => {
    await put('rules', [{ Status: 'Enabled', Filter: { Prefix: 'x/' }, Expiration: { Days: 1 } }]);
    const [rule] = (await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'rules' }))).Rules!;
    expect(rule.ID).toMatch(/^\S{20,255}$/);
  });

  it.each<[string, LifecycleRule[], string]>([
    ['an ID over 255 characters', [{ ID: 'x'.repeat(256), Status: 'Enabled', Filter: {}, Expiration: { Days: 1 } }], 'InvalidArgument'],
    ['two rules with one ID', [{ ID: 'same', Status: 'Enabled', Filter: { Prefix: 'a' }, Expiration: { Days: 1 } }, { ID: 'same', Status: 'Enabled', Filter: { Prefix: 'b' }, Expiration: { Days: 2 } }], 'InvalidArgument'],
    ['no filter and no prefix', [{ ID: 'bare', Status: 'Enabled', Expiration: { Days: 1 } }], 'MalformedXML'],
    ['two conditions outside And', [{ ID: 'two', Status: 'Enabled', Filter: { Prefix: 'a', ObjectSizeGreaterThan: 5 }, Expiration: { Days: 1 } }], 'MalformedXML'],
    ['no action', [{ ID: 'idle', Status: 'Enabled', Filter: {} }], 'InvalidRequest'],
    ['zero days', [{ ID: 'zero', Status: 'Enabled', Filter: {}, Expiration: { Days: 0 } }], 'InvalidArgument'],
    ['a date that is not midnight GMT', [{ ID: 'noon', Status: 'Enabled', Filter: {}, Expiration: { Date: new Date('2031-01-01T12:00:00Z') } }], 'InvalidArgument'],
    ['a tag key twice', [{ ID: 'tags', Status: 'Enabled', Filter: { And: { Tags: [{ Key: 'k', Value: '1' }, { Key: 'k', Value: '2' }] } }, Expiration: { Days: 1 } }], 'InvalidRequest'],
    ['an unknown status', [{ ID: 'maybe', Status: 'Sometimes' as 'Enabled', Filter: {}, Expiration: { Days: 1 } }], 'MalformedXML'],
  ])('refuses %s (%s) and keeps the rules it had', async (_name, rules, code) => {
    await put('rules', [{ ID: 'kept', Status: 'Enabled', Filter: { Prefix: 'kept/' }, Expiration: { Days: 9 } }]);
    expect(await awsRefusal(put('rules', rules))).toEqual({ code, status: 400 });
    expect((await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'rules' }))).Rules?.map((r) => r.ID)).toEqual(['kept']);
  });

  it('announces x-amz-expiration on PUT, HEAD and GET of the objects a rule will expire, the earliest rule winning', async () => {
    await put('announced', [
      { ID: 'week', Status: 'Enabled', Filter: { Prefix: 'logs/' }, Expiration: { Days: 7 } },
      { ID: 'day for big ones', Status: 'Enabled', Filter: { And: { Prefix: 'logs/', ObjectSizeGreaterThan: 100 } }, Expiration: { Days: 1 } },
      { ID: 'tagged', Status: 'Enabled', Filter: { Tag: { Key: 'temp', Value: 'yes' } }, Expiration: { Days: 2 } },
      { ID: 'off', Status: 'Disabled', Filter: {}, Expiration: { Days: 1 } },
    ]);
    const written = await s3.send(new PutObjectCommand({ Bucket: 'announced', Key: 'logs/small', Body: 'x' }));
    // S3 adds the days to the creation time and rounds up to the next midnight UTC.
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'announced', Key: 'logs/small' }));
    const expected = new Date(Math.ceil((head.LastModified!.getTime() + 7 * DAY) / DAY) * DAY).toUTCString();
    expect(written.Expiration).toBe(`expiry-date="${expected}", rule-id="week"`);
    expect(head.Expiration).toBe(written.Expiration);
    await s3.send(new PutObjectCommand({ Bucket: 'announced', Key: 'logs/big', Body: 'x'.repeat(200) }));
    const big = await s3.send(new GetObjectCommand({ Bucket: 'announced', Key: 'logs/big' }));
    await big.Body!.transformToString();
    expect(big.Expiration).toMatch(/rule-id="day%20for%20big%20ones"$/);
    await s3.send(new PutObjectCommand({ Bucket: 'announced', Key: 'other', Body: 'x', Tagging: 'temp=yes' }));
    expect((await s3.send(new HeadObjectCommand({ Bucket: 'announced', Key: 'other' }))).Expiration).toMatch(/rule-id="tagged"$/);
    await s3.send(new PutObjectCommand({ Bucket: 'announced', Key: 'plain', Body: 'x' }));
    expect((await s3.send(new HeadObjectCommand({ Bucket: 'announced', Key: 'plain' }))).Expiration).toBeUndefined();
  });
});

describe('local S3: lifecycle rules applied (days shortened)', () => {
  let env: StartedLocalAws;
  let s3: S3Client;

  beforeAll(async () => {
    env = await startLocalAws({ lifecycleDaySeconds: 0.2 });
    s3 = env.s3();
    await s3.send(new CreateBucketCommand({ Bucket: 'swept' }));
  });
  afterAll(() => env?.stop());

  it('expires only the objects a filter covers (size, tags, And), never under a disabled rule', async () => {
    const objects: [string, string, string?][] = [
      ['small', 'x'],
      ['big', 'x'.repeat(2000)],
      ['tagged', 'x', 'temp=yes&team=a'],
      ['tagged-other', 'x', 'temp=no'],
      ['tmp/both', 'x'.repeat(50), 'kind=scratch'],
      ['tmp/untagged', 'x'.repeat(50)],
    ];
    for (const [Key, Body, Tagging] of objects) await s3.send(new PutObjectCommand({ Bucket: 'swept', Key, Body, Tagging }));
    await s3.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: 'swept',
        LifecycleConfiguration: {
          Rules: [
            { ID: 'big', Status: 'Enabled', Filter: { ObjectSizeGreaterThan: 1000 }, Expiration: { Days: 1 } },
            { ID: 'tagged', Status: 'Enabled', Filter: { Tag: { Key: 'temp', Value: 'yes' } }, Expiration: { Days: 1 } },
            { ID: 'scratch', Status: 'Enabled', Filter: { And: { Prefix: 'tmp/', Tags: [{ Key: 'kind', Value: 'scratch' }] } }, Expiration: { Days: 1 } },
            { ID: 'everything, but off', Status: 'Disabled', Filter: {}, Expiration: { Days: 1 } },
          ],
        },
      }),
    );
    await vi.waitFor(
      async () => {
        const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'swept' }));
        expect(listed.Contents?.map((o) => o.Key)).toEqual(['small', 'tagged-other', 'tmp/untagged']);
      },
      { timeout: 10_000, interval: 100 },
    );
  });
});
