import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GetKeyPolicyCommand,
  ListAliasesCommand,
  ListKeysCommand,
  PutKeyPolicyCommand,
} from '@aws-sdk/client-kms';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFactory, policy, refusal, type Clients } from '../helpers/clients.js';
import { startLocalAws, type StartedLocalAws } from '../helpers/local-aws.js';

describe('KMS over the wire (@aws-sdk/client-kms), key policies enforced', () => {
  let env: StartedLocalAws;
  let root: Clients;
  const { clientsFor, userWith, destroyAll } = clientFactory(() => env.aws);
  const account = () => env.aws.accountId;
  const rootArn = () => `arn:aws:iam::${account()}:root`;
  const enableIam = () => ({ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: rootArn() }, Action: 'kms:*', Resource: '*' });


  beforeAll(async () => {
    env = await startLocalAws();
    root = clientsFor();
  });
  afterAll(async () => {
    destroyAll();
    await env?.stop();
  });

  it('creates a key with the default key policy, names it by alias and finds it by id, ARN, alias and alias ARN', async () => {
    const { KeyMetadata } = await root.kms.send(new CreateKeyCommand({ Description: 'dock' }));
    expect(KeyMetadata).toMatchObject({ AWSAccountId: account(), Enabled: true, KeyState: 'Enabled', KeyUsage: 'ENCRYPT_DECRYPT', KeySpec: 'SYMMETRIC_DEFAULT', KeyManager: 'CUSTOMER', Description: 'dock' });
    expect(KeyMetadata!.CreationDate).toBeInstanceOf(Date);
    const keyId = KeyMetadata!.KeyId!;
    await root.kms.send(new CreateAliasCommand({ AliasName: 'alias/dock', TargetKeyId: keyId }));
    for (const reference of [keyId, KeyMetadata!.Arn!, 'alias/dock', `arn:aws:kms:${env.aws.region}:${account()}:alias/dock`]) {
      expect((await root.kms.send(new DescribeKeyCommand({ KeyId: reference }))).KeyMetadata!.KeyId).toBe(keyId);
    }
    const { Aliases } = await root.kms.send(new ListAliasesCommand({ KeyId: keyId }));
    expect(Aliases).toEqual([expect.objectContaining({ AliasName: 'alias/dock', TargetKeyId: keyId, AliasArn: `arn:aws:kms:${env.aws.region}:${account()}:alias/dock` })]);
    expect((await root.kms.send(new ListKeysCommand({}))).Keys!.map((k) => k.KeyId)).toContain(keyId);
    const { Policy } = await root.kms.send(new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default' }));
    expect(JSON.parse(Policy!).Statement).toEqual([enableIam()]);
    // The key the S3 encryption uses is the same key: the key ring and the API are one.
    expect(env.aws.ensureKey('alias/dock').keyId).toBe(keyId);
  });

  it.each([
    ['an unknown key', () => root.kms.send(new DescribeKeyCommand({ KeyId: '11111111-2222-3333-4444-555555555555' })), 'NotFoundException'],
    ['an unknown alias', () => root.kms.send(new DescribeKeyCommand({ KeyId: 'alias/nothing' })), 'NotFoundException'],
    ['an alias as the target of an alias', () => root.kms.send(new CreateAliasCommand({ AliasName: 'alias/second', TargetKeyId: 'alias/taken' })), 'ValidationException'],
    ['a reserved alias name', () => root.kms.send(new CreateAliasCommand({ AliasName: 'alias/aws/mine', TargetKeyId: 'alias/taken' })), 'InvalidAliasNameException'],
    ['an alias to a missing key', () => root.kms.send(new CreateAliasCommand({ AliasName: 'alias/new', TargetKeyId: '11111111-2222-3333-4444-555555555555' })), 'NotFoundException'],
    ['a policy that is not JSON', () => root.kms.send(new CreateKeyCommand({ Policy: '{' })), 'MalformedPolicyDocumentException'],
    [
      'a policy that would lock the caller out',
      () => root.kms.send(new CreateKeyCommand({ Policy: policy({ Effect: 'Allow', Principal: { AWS: rootArn() }, Action: 'kms:Decrypt', Resource: '*' }) })),
      'MalformedPolicyDocumentException',
    ],
    ['a data key of no size', () => root.kms.send(new GenerateDataKeyCommand({ KeyId: 'alias/taken' })), 'ValidationException'],
  ])('refuses %s with its AWS code', async (_name, call, code) => {
    if (!(await root.kms.send(new ListAliasesCommand({}))).Aliases!.some((a) => a.AliasName === 'alias/taken')) {
      const { KeyMetadata } = await root.kms.send(new CreateKeyCommand({}));
      await root.kms.send(new CreateAliasCommand({ AliasName: 'alias/taken', TargetKeyId: KeyMetadata!.KeyId! }));
    }
    expect((await refusal(call())).name).toBe(code);
  });

  it('refuses a second alias of the same name with AlreadyExistsException', async () => {
    const { KeyMetadata } = await root.kms.send(new CreateKeyCommand({}));
    await root.kms.send(new CreateAliasCommand({ AliasName: 'alias/once', TargetKeyId: KeyMetadata!.KeyId! }));
    expect((await refusal(root.kms.send(new CreateAliasCommand({ AliasName: 'alias/once', TargetKeyId: KeyMetadata!.KeyId! })))).name).toBe('AlreadyExistsException');
  });

  it('encrypts, generates data keys and decrypts only with the same encryption context', async () => {
    const { KeyMetadata } = await root.kms.send(new CreateKeyCommand({}));
    const context = { purpose: 'test', file: '1' };
    const sealed = await root.kms.send(new EncryptCommand({ KeyId: KeyMetadata!.KeyId!, Plaintext: Buffer.from('secret'), EncryptionContext: context }));
    const opened = await root.kms.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob, EncryptionContext: { file: '1', purpose: 'test' } }));
    expect(Buffer.from(opened.Plaintext!).toString()).toBe('secret');
    expect(opened.KeyId).toBe(KeyMetadata!.Arn);
    expect((await refusal(root.kms.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob, EncryptionContext: { file: '2', purpose: 'test' } })))).name).toBe('InvalidCiphertextException');
    const other = await root.kms.send(new CreateKeyCommand({}));
    expect((await refusal(root.kms.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob, KeyId: other.KeyMetadata!.KeyId!, EncryptionContext: context })))).name).toBe('IncorrectKeyException');

    const dataKey = await root.kms.send(new GenerateDataKeyCommand({ KeyId: KeyMetadata!.Arn!, KeySpec: 'AES_256' }));
    expect(dataKey.Plaintext).toHaveLength(32);
    const again = await root.kms.send(new DecryptCommand({ CiphertextBlob: dataKey.CiphertextBlob }));
    expect(Buffer.from(again.Plaintext!).equals(Buffer.from(dataKey.Plaintext!))).toBe(true);
  });

  it('a key policy that does not delegate to IAM refuses a user whatever its own policy says; naming the user lets it in', async () => {
    const { clients, arn } = await userWith('kms-user', { Effect: 'Allow', Action: 'kms:*', Resource: '*' });
    const ownOnly = await root.kms.send(new CreateKeyCommand({ Policy: policy({ Sid: 'Root only', Effect: 'Allow', Principal: { AWS: rootArn() }, Action: 'kms:PutKeyPolicy', Resource: '*' }) }));
    const keyId = ownOnly.KeyMetadata!.KeyId!;
    const encrypt = () => clients.kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') }));
    expect((await refusal(encrypt())).name).toBe('AccessDeniedException');
    // The root user too needs the key policy: this one lets it only manage the policy.
    expect((await refusal(root.kms.send(new DescribeKeyCommand({ KeyId: keyId })))).name).toBe('AccessDeniedException');

    await root.kms.send(
      new PutKeyPolicyCommand({
        KeyId: keyId,
        PolicyName: 'default',
        Policy: policy(
          { Effect: 'Allow', Principal: { AWS: rootArn() }, Action: 'kms:PutKeyPolicy', Resource: '*' },
          { Effect: 'Allow', Principal: { AWS: arn }, Action: 'kms:Encrypt', Resource: '*' },
        ),
      }),
    );
    await encrypt();
    expect((await refusal(clients.kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256' })))).name).toBe('AccessDeniedException');

    // With the default policy (delegation to IAM) the user's own policy decides, and a Deny there wins.
    const delegated = await root.kms.send(new CreateKeyCommand({}));
    await clients.kms.send(new GenerateDataKeyCommand({ KeyId: delegated.KeyMetadata!.KeyId!, KeySpec: 'AES_256' }));
    const limited = await userWith('kms-none');
    expect((await refusal(limited.clients.kms.send(new GenerateDataKeyCommand({ KeyId: delegated.KeyMetadata!.KeyId!, KeySpec: 'AES_256' })))).name).toBe('AccessDeniedException');
  });

  it('S3 checks kms:GenerateDataKey on writes and kms:Decrypt on reads of SSE-KMS objects, with the key policy', async () => {
    await root.s3.send(new CreateBucketCommand({ Bucket: 'sealed' }));
    const { KeyMetadata } = await root.kms.send(new CreateKeyCommand({}));
    const keyArn = KeyMetadata!.Arn!;
    const s3Rights = { Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject'], Resource: 'arn:aws:s3:::sealed/*' };
    const writer = await userWith('sse-writer', s3Rights, { Effect: 'Allow', Action: 'kms:GenerateDataKey', Resource: keyArn });
    const noKms = await userWith('sse-nokms', s3Rights);
    const put = (clients: Clients, Key: string) => clients.s3.send(new PutObjectCommand({ Bucket: 'sealed', Key, Body: 'v', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyArn }));

    expect((await refusal(put(noKms.clients, 'a'))).name).toBe('AccessDenied');
    await put(writer.clients, 'a');
    // Reading needs kms:Decrypt, which the writer lacks.
    expect((await refusal(writer.clients.s3.send(new GetObjectCommand({ Bucket: 'sealed', Key: 'a' })))).name).toBe('AccessDenied');
    expect(await (await root.s3.send(new GetObjectCommand({ Bucket: 'sealed', Key: 'a' }))).Body!.transformToString()).toBe('v');

    // A key policy that stops delegating to IAM refuses the writer, and the account's root too.
    await root.kms.send(new PutKeyPolicyCommand({ KeyId: keyArn, PolicyName: 'default', Policy: policy({ Effect: 'Allow', Principal: { AWS: rootArn() }, Action: 'kms:PutKeyPolicy', Resource: '*' }) }));
    expect((await refusal(put(writer.clients, 'b'))).name).toBe('AccessDenied');
    expect((await refusal(put(root, 'b'))).name).toBe('AccessDenied');
    expect((await refusal(root.s3.send(new GetObjectCommand({ Bucket: 'sealed', Key: 'a' })))).name).toBe('AccessDenied');
  });
});
