import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { CreateBucketCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsCli, cliErrorCode, findAllAwsClis, findAwsCli, type AwsCli } from '../helpers/awscli.js';
import { randomStream, sha256Of } from '../helpers/data.js';
import { startLocalAws, type StartedLocalAws } from '../helpers/local-aws.js';
import { needs } from '../helpers/outside-tools.js';

const MiB = 1024 * 1024;
const bin = findAwsCli();
/**
 * Each CLI call starts a Python interpreter: about a second on a quiet
 * machine, five to twenty on two busy cores, and a test makes up to ten
 * calls while the others run beside it. Sized for the busy case.
 */
const CLI_TEST_TIMEOUT = 300_000;

/**
 * The AWS CLI (Debian's `awscli`, installed by .ci/run) against the embedded
 * endpoint: a client nobody here wrote, with botocore's own signing,
 * `Expect: 100-continue` and multipart logic.
 */
// Each CLI call costs a Python start-up: the tests (separate buckets and queues) run side by side, and what a test
// only needs (buckets, objects to act on, checks of what the CLI wrote, the notifications) goes through the SDK.
const suite = describe.skipIf(!needs({ name: 'the AWS CLI', path: bin, debianPackage: 'awscli', variable: 'LFS_TEST_AWS_CLI' }));
suite.concurrent(`AWS CLI (${bin}) against the embedded endpoint`, { timeout: CLI_TEST_TIMEOUT }, () => {
  let env: StartedLocalAws;
  let aws: AwsCli;
  let dir: string;

  beforeAll(async () => {
    env = await startLocalAws();
    aws = awsCli({ bin: bin!, endpoint: env.aws.url, region: env.aws.region, credentials: env.aws.rootCredentials });
    dir = await mkdtemp(join(tmpdir(), 'lfs-awscli-'));
  });
  const bucket = (Bucket: string) => env.s3().send(new CreateBucketCommand({ Bucket }));
  afterAll(async () => {
    await env?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('s3 mb, cp of 40 MiB up (multipart, parts in parallel) and down, ls and rm', async () => {
    await aws.ok(['s3', 'mb', 's3://cli-bucket']);
    const source = join(dir, 'big.bin');
    const data = randomStream(40 * MiB);
    await pipeline(data.stream, createWriteStream(source));

    await aws.ok(['s3', 'cp', source, 's3://cli-bucket/dir/big.bin', '--only-show-errors']);
    const head = await env.s3().send(new HeadObjectCommand({ Bucket: 'cli-bucket', Key: 'dir/big.bin' }));
    expect(head.ContentLength).toBe(40 * MiB);
    // The CLI's 8 MiB chunks: a multipart ETag of 5 parts.
    expect(head.ETag).toMatch(/^"[0-9a-f]{32}-5"$/);

    const back = join(dir, 'back.bin');
    await aws.ok(['s3', 'cp', 's3://cli-bucket/dir/big.bin', back, '--only-show-errors']);
    expect(await sha256Of(createReadStream(back))).toBe(data.sha256());
    await rm(back);

    expect(await aws.ok(['s3', 'ls'])).toMatch(/ cli-bucket\n/);
    expect(await aws.ok(['s3', 'ls', 's3://cli-bucket/dir/'])).toMatch(new RegExp(` ${40 * MiB} big\\.bin\\n`));
    await aws.ok(['s3', 'rm', 's3://cli-bucket/dir/big.bin', '--only-show-errors']);
    // The CLI exits with 1 when a listing is empty, as it does against AWS.
    expect((await aws.run(['s3', 'ls', 's3://cli-bucket/dir/'])).stdout).toBe('');
    await rm(source);
  });

  it('s3api put-object with checksums, head-object, list-objects-v2 and a refused upload', async () => {
    await bucket('cli-objects');
    const file = join(dir, 'hello.txt');
    await writeFile(file, 'hello, cli\n');
    const sha = await aws.json<{ ChecksumSHA256: string }>(['s3api', 'put-object', '--bucket', 'cli-objects', '--key', 'a/hello.txt', '--body', file, '--checksum-algorithm', 'SHA256']);
    expect(sha.ChecksumSHA256).toBe(createHash('sha256').update('hello, cli\n').digest('base64'));
    await aws.ok(['s3api', 'put-object', '--bucket', 'cli-objects', '--key', 'b/crc.txt', '--body', file, '--checksum-algorithm', 'CRC32']);
    const head = await aws.json<Record<string, unknown>>(['s3api', 'head-object', '--bucket', 'cli-objects', '--key', 'a/hello.txt', '--checksum-mode', 'ENABLED']);
    expect(head).toMatchObject({ ContentLength: 11, ChecksumSHA256: sha.ChecksumSHA256 });
    const listed = await aws.json<{ Contents: { Key: string; Size: number }[] }>(['s3api', 'list-objects-v2', '--bucket', 'cli-objects', '--prefix', 'a/']);
    expect(listed.Contents.map((c) => [c.Key, c.Size])).toEqual([['a/hello.txt', 11]]);
    const delimited = await aws.json<{ CommonPrefixes: { Prefix: string }[] }>(['s3api', 'list-objects-v2', '--bucket', 'cli-objects', '--delimiter', '/']);
    expect(delimited.CommonPrefixes.map((p) => p.Prefix)).toEqual(['a/', 'b/']);

    // The CLI sends `Expect: 100-continue` and waits: the refusal comes instead of `100 Continue`, and the body stays unsent.
    const missing = await aws.run(['s3api', 'put-object', '--bucket', 'cli-nope', '--key', 'k', '--body', file, '--debug']);
    expect(cliErrorCode(missing)).toBe('NoSuchBucket');
    expect(missing.stderr).toContain('NOT sending request body');
    const forged = await aws.run(['s3api', 'put-object', '--bucket', 'cli-objects', '--key', 'k', '--body', file], { ...env.aws.rootCredentials, secretAccessKey: 'wrong' });
    expect(cliErrorCode(forged)).toBe('SignatureDoesNotMatch');
  });

  it('s3api multipart: create-multipart-upload, upload-part, list-parts, complete-multipart-upload', async () => {
    await bucket('cli-multipart');
    const parts = [join(dir, 'p1'), join(dir, 'p2')];
    const first = randomStream(5 * MiB);
    const second = randomStream(1234);
    await pipeline(first.stream, createWriteStream(parts[0]));
    await pipeline(second.stream, createWriteStream(parts[1]));
    const base = ['--bucket', 'cli-multipart', '--key', 'mp.bin'];
    const { UploadId } = await aws.json<{ UploadId: string }>(['s3api', 'create-multipart-upload', ...base, '--checksum-algorithm', 'CRC32']);
    const uploaded = [];
    for (const [i, file] of parts.entries()) {
      const part = await aws.json<{ ETag: string; ChecksumCRC32: string }>(
        ['s3api', 'upload-part', ...base, '--upload-id', UploadId, '--part-number', String(i + 1), '--body', file, '--checksum-algorithm', 'CRC32'],
      );
      uploaded.push({ PartNumber: i + 1, ETag: part.ETag, ChecksumCRC32: part.ChecksumCRC32 });
    }
    const listed = await aws.json<{ Parts: { PartNumber: number; ETag: string; Size: number }[] }>(['s3api', 'list-parts', ...base, '--upload-id', UploadId]);
    expect(listed.Parts.map((p) => [p.PartNumber, p.ETag, p.Size])).toEqual([
      [1, uploaded[0].ETag, 5 * MiB],
      [2, uploaded[1].ETag, 1234],
    ]);
    const layout = join(dir, 'parts.json');
    await writeFile(layout, JSON.stringify({ Parts: uploaded }));
    const done = await aws.json<{ ETag: string; ChecksumCRC32: string }>(
      ['s3api', 'complete-multipart-upload', ...base, '--upload-id', UploadId, '--multipart-upload', `file://${layout}`],
    );
    expect(done.ETag).toMatch(/-2"$/);
    expect(done.ChecksumCRC32).toMatch(/-2$/);
    const out = join(dir, 'mp.out');
    await aws.ok(['s3api', 'get-object', ...base, out]);
    const hash = await sha256Of(createReadStream(out));
    const expected = await sha256Of((async function* () {
      yield* createReadStream(parts[0]);
      yield* createReadStream(parts[1]);
    })());
    expect(hash).toBe(expected);
    const gone = await aws.run(['s3api', 'list-parts', ...base, '--upload-id', UploadId]);
    expect(cliErrorCode(gone)).toBe('NoSuchUpload');
  });

  it('bucket policy, CORS and notification configuration round-trip and take effect', async () => {
    await bucket('cli-config');
    const policy = {
      Version: '2012-10-17',
      Statement: [{ Sid: 'keep', Effect: 'Deny', Principal: '*', Action: 's3:DeleteObject', Resource: 'arn:aws:s3:::cli-config/keep/*' }],
    };
    await aws.ok(['s3api', 'put-bucket-policy', '--bucket', 'cli-config', '--policy', JSON.stringify(policy)]);
    const stored = await aws.json<{ Policy: string }>(['s3api', 'get-bucket-policy', '--bucket', 'cli-config']);
    expect(JSON.parse(stored.Policy)).toEqual(policy);
    await env.s3().send(new PutObjectCommand({ Bucket: 'cli-config', Key: 'keep/me.txt', Body: 'keep me' }));
    // An explicit Deny in the bucket policy binds the account's root as well.
    expect(cliErrorCode(await aws.run(['s3api', 'delete-object', '--bucket', 'cli-config', '--key', 'keep/me.txt']))).toBe('AccessDenied');

    const cors = { CORSRules: [{ AllowedOrigins: ['https://app.example'], AllowedMethods: ['PUT', 'GET'], AllowedHeaders: ['*'], ExposeHeaders: ['ETag'], MaxAgeSeconds: 600 }] };
    await aws.ok(['s3api', 'put-bucket-cors', '--bucket', 'cli-config', '--cors-configuration', JSON.stringify(cors)]);
    expect(await aws.json(['s3api', 'get-bucket-cors', '--bucket', 'cli-config'])).toEqual(cors);
    const preflight = await fetch(`${env.aws.url}/cli-config/keep/me.txt`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'PUT' },
    });
    expect(preflight.status).toBe(200);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example');

    const queueArn = `arn:aws:sqs:${env.aws.region}:${env.aws.accountId}:cli-events`;
    // As on AWS, S3 may deliver to a queue only when the queue policy lets it.
    const queuePolicy = { Statement: [{ Effect: 'Allow', Principal: { Service: 's3.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: queueArn, Condition: { ArnEquals: { 'aws:SourceArn': 'arn:aws:s3:::cli-config' } } }] };
    const { QueueUrl } = await aws.json<{ QueueUrl: string }>(['sqs', 'create-queue', '--queue-name', 'cli-events', '--attributes', JSON.stringify({ Policy: JSON.stringify(queuePolicy) })]);
    const notification = { QueueConfigurations: [{ Id: 'created', QueueArn: queueArn, Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'in/' }] } } }] };
    await aws.ok(['s3api', 'put-bucket-notification-configuration', '--bucket', 'cli-config', '--notification-configuration', JSON.stringify(notification)]);
    const got = await aws.json<{ QueueConfigurations: { QueueArn: string; Events: string[] }[] }>(['s3api', 'get-bucket-notification-configuration', '--bucket', 'cli-config']);
    expect(got.QueueConfigurations[0]).toMatchObject({ QueueArn: queueArn, Events: ['s3:ObjectCreated:*'] });
    await env.s3().send(new PutObjectCommand({ Bucket: 'cli-config', Key: 'in/new.txt', Body: 'new' }));
    const sqs = new SQSClient({ endpoint: env.aws.url, region: env.aws.region, credentials: env.aws.rootCredentials });
    const bodies: Record<string, unknown>[] = [];
    while (bodies.length < 2) {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 20 }));
      bodies.push(...Messages.map((message) => JSON.parse(message.Body!) as Record<string, unknown>));
    }
    sqs.destroy();
    expect(bodies.map((b) => b.Event ?? (b.Records as { eventName: string }[])[0].eventName)).toEqual(['s3:TestEvent', 'ObjectCreated:Put']);
  });

  it('sts get-caller-identity and assume-role; the session is limited to its role', async () => {
    const root = await aws.json<{ Account: string; Arn: string }>(['sts', 'get-caller-identity']);
    expect(root).toMatchObject({ Account: env.aws.accountId, Arn: `arn:aws:iam::${env.aws.accountId}:root` });
    await bucket('cli-sts');
    const roleArn = env.aws.putRole({
      name: 'cli-writer',
      policies: [{ Statement: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::cli-sts/allowed/*' }] }],
    }).arn;
    const assumed = await aws.json<{ Credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string }; AssumedRoleUser: { Arn: string } }>(
      ['sts', 'assume-role', '--role-arn', roleArn, '--role-session-name', 'cli-session', '--duration-seconds', '900'],
    );
    expect(assumed.AssumedRoleUser.Arn).toBe(`arn:aws:sts::${env.aws.accountId}:assumed-role/cli-writer/cli-session`);
    const session = { accessKeyId: assumed.Credentials.AccessKeyId, secretAccessKey: assumed.Credentials.SecretAccessKey, sessionToken: assumed.Credentials.SessionToken };
    const who = await aws.json<{ Arn: string }>(['sts', 'get-caller-identity'], session);
    expect(who.Arn).toBe(assumed.AssumedRoleUser.Arn);
    const file = join(dir, 'session.txt');
    await writeFile(file, 'from a session');
    await aws.ok(['s3api', 'put-object', '--bucket', 'cli-sts', '--key', 'allowed/x', '--body', file], session);
    expect(cliErrorCode(await aws.run(['s3api', 'put-object', '--bucket', 'cli-sts', '--key', 'other/x', '--body', file], session))).toBe('AccessDenied');
    expect(cliErrorCode(await aws.run(['s3api', 'get-object', '--bucket', 'cli-sts', '--key', 'allowed/x', join(dir, 'nope')], session))).toBe('AccessDenied');
    const missingRole = await aws.run(['sts', 'assume-role', '--role-arn', `arn:aws:iam::${env.aws.accountId}:role/none`, '--role-session-name', 'cli-session']);
    // As AWS answers, so that role names cannot be probed.
    expect(cliErrorCode(missingRole)).toBe('AccessDenied');
  });

  // Older CLIs speak the SQS Query protocol, newer ones JSON: run every CLI on this machine.
  it.each(findAllAwsClis())('sqs create-queue, send, receive, delete, get-queue-attributes (%s)', async (cliBin) => {
    const sqs = awsCli({ bin: cliBin, endpoint: env.aws.url, region: env.aws.region, credentials: env.aws.rootCredentials });
    const name = `cli-queue-${findAllAwsClis().indexOf(cliBin)}`;
    const { QueueUrl } = await sqs.json<{ QueueUrl: string }>(['sqs', 'create-queue', '--queue-name', name, '--attributes', 'VisibilityTimeout=600']);
    expect(QueueUrl).toBe(`${env.aws.url}/${env.aws.accountId}/${name}`);
    const sent = await sqs.json<{ MessageId: string; MD5OfMessageBody: string }>(
      ['sqs', 'send-message', '--queue-url', QueueUrl, '--message-body', 'héllo <&> wörld', '--message-attributes', '{"kind":{"DataType":"String","StringValue":"greeting"}}'],
    );
    expect(sent.MD5OfMessageBody).toBe(createHash('md5').update('héllo <&> wörld').digest('hex'));
    const attributes = async () =>
      (await sqs.json<{ Attributes: Record<string, string> }>(['sqs', 'get-queue-attributes', '--queue-url', QueueUrl, '--attribute-names', 'All'])).Attributes;
    expect(await attributes()).toMatchObject({ ApproximateNumberOfMessages: '1', VisibilityTimeout: '600' });
    const received = await sqs.json<{ Messages: { MessageId: string; Body: string; ReceiptHandle: string; MessageAttributes: Record<string, { StringValue: string }>; Attributes: Record<string, string> }[] }>(
      ['sqs', 'receive-message', '--queue-url', QueueUrl, '--message-attribute-names', 'All', '--attribute-names', 'All', '--wait-time-seconds', '1'],
    );
    expect(received.Messages).toHaveLength(1);
    const [message] = received.Messages;
    expect(message).toMatchObject({ MessageId: sent.MessageId, Body: 'héllo <&> wörld' });
    expect(message.MessageAttributes.kind.StringValue).toBe('greeting');
    expect(message.Attributes.ApproximateReceiveCount).toBe('1');
    expect(await attributes()).toMatchObject({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '1' });
    await sqs.ok(['sqs', 'delete-message', '--queue-url', QueueUrl, '--receipt-handle', message.ReceiptHandle]);
    expect(await attributes()).toMatchObject({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });
    const missing = await sqs.run(['sqs', 'get-queue-attributes', '--queue-url', `${env.aws.url}/${env.aws.accountId}/no-such-queue`]);
    expect(cliErrorCode(missing)).toMatch(/^(AWS\.SimpleQueueService\.NonExistentQueue|QueueDoesNotExist)$/);
  });
});
