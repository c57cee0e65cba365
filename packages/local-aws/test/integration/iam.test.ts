import {
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  ListAccessKeysCommand,
  ListRolePoliciesCommand,
  ListUserPoliciesCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleCommand,
} from '@aws-sdk/client-iam';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, PurgeQueueCommand, SendMessageCommand, SetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFactory, policy, refusal, type Clients } from '../helpers/clients.js';
import { startLocalAws, type StartedLocalAws } from '../helpers/local-aws.js';

describe('IAM over the wire (@aws-sdk/client-iam)', () => {
  let env: StartedLocalAws;
  let root: Clients;
  const { clientsFor, userWith, destroyAll } = clientFactory(() => env.aws);
  const account = () => env.aws.accountId;
  const trustAccount = () => policy({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account()}:root` }, Action: 'sts:AssumeRole' });


  beforeAll(async () => {
    env = await startLocalAws();
    root = clientsFor();
  });
  afterAll(async () => {
    destroyAll();
    await env?.stop();
  });

  it('creates, reads, updates and deletes a role with its trust policy and inline policies', async () => {
    const { Role } = await root.iam.send(new CreateRoleCommand({ RoleName: 'uploader', AssumeRolePolicyDocument: trustAccount(), MaxSessionDuration: 43_200, Description: 'uploads' }));
    expect(Role).toMatchObject({ RoleName: 'uploader', Path: '/', Arn: `arn:aws:iam::${account()}:role/uploader`, MaxSessionDuration: 43_200 });
    expect(Role!.RoleId).toMatch(/^AROA/);
    const got = await root.iam.send(new GetRoleCommand({ RoleName: 'uploader' }));
    // IAM returns policy documents URL-encoded.
    expect(JSON.parse(decodeURIComponent(got.Role!.AssumeRolePolicyDocument!))).toEqual(JSON.parse(trustAccount()));
    expect(got.Role!.CreateDate).toBeInstanceOf(Date);

    const rolePolicy = policy({ Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::dock/*' });
    await root.iam.send(new PutRolePolicyCommand({ RoleName: 'uploader', PolicyName: 'put', PolicyDocument: rolePolicy }));
    const inline = await root.iam.send(new GetRolePolicyCommand({ RoleName: 'uploader', PolicyName: 'put' }));
    expect(JSON.parse(decodeURIComponent(inline.PolicyDocument!))).toEqual(JSON.parse(rolePolicy));
    expect((await root.iam.send(new ListRolePoliciesCommand({ RoleName: 'uploader' }))).PolicyNames).toEqual(['put']);

    await root.iam.send(new UpdateRoleCommand({ RoleName: 'uploader', MaxSessionDuration: 3600, Description: 'changed' }));
    expect((await root.iam.send(new GetRoleCommand({ RoleName: 'uploader' }))).Role).toMatchObject({ MaxSessionDuration: 3600, Description: 'changed' });

    const onlyService = policy({ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' });
    await root.iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'uploader', PolicyDocument: onlyService }));
    const updated = await root.iam.send(new GetRoleCommand({ RoleName: 'uploader' }));
    expect(JSON.parse(decodeURIComponent(updated.Role!.AssumeRolePolicyDocument!))).toEqual(JSON.parse(onlyService));

    expect((await refusal(root.iam.send(new DeleteRoleCommand({ RoleName: 'uploader' })))).name).toBe('DeleteConflict');
    await root.iam.send(new DeleteRolePolicyCommand({ RoleName: 'uploader', PolicyName: 'put' }));
    expect((await root.iam.send(new ListRolePoliciesCommand({ RoleName: 'uploader' }))).PolicyNames).toEqual([]);
    await root.iam.send(new DeleteRoleCommand({ RoleName: 'uploader' }));
    expect((await refusal(root.iam.send(new GetRoleCommand({ RoleName: 'uploader' })))).name).toBe('NoSuchEntity');
  });

  it.each([
    ['a role that exists', async () => root.iam.send(new CreateRoleCommand({ RoleName: 'twice', AssumeRolePolicyDocument: trustAccount() })), 'EntityAlreadyExists'],
    ['an unknown role', async () => root.iam.send(new GetRoleCommand({ RoleName: 'nobody' })), 'NoSuchEntity'],
    ['an unknown role policy', async () => root.iam.send(new GetRolePolicyCommand({ RoleName: 'twice', PolicyName: 'none' })), 'NoSuchEntity'],
    ['a trust policy that is not JSON', async () => root.iam.send(new CreateRoleCommand({ RoleName: 'bad', AssumeRolePolicyDocument: '{' })), 'MalformedPolicyDocument'],
    [
      'a trust policy with a Resource',
      async () => root.iam.send(new CreateRoleCommand({ RoleName: 'bad', AssumeRolePolicyDocument: policy({ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole', Resource: '*' }) })),
      'MalformedPolicyDocument',
    ],
    [
      'a trust policy naming a user that does not exist',
      async () => root.iam.send(new CreateRoleCommand({ RoleName: 'bad', AssumeRolePolicyDocument: policy({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account()}:user/ghost` }, Action: 'sts:AssumeRole' }) })),
      'MalformedPolicyDocument',
    ],
    ['an identity policy with a Principal', async () => root.iam.send(new PutRolePolicyCommand({ RoleName: 'twice', PolicyName: 'p', PolicyDocument: trustAccount() })), 'MalformedPolicyDocument'],
    ['a bad role name', async () => root.iam.send(new CreateRoleCommand({ RoleName: 'a b', AssumeRolePolicyDocument: trustAccount() })), 'ValidationError'],
    ['a user that exists', async () => root.iam.send(new CreateUserCommand({ UserName: 'twice' })), 'EntityAlreadyExists'],
    ['an unknown user', async () => root.iam.send(new GetUserCommand({ UserName: 'nobody' })), 'NoSuchEntity'],
  ])('refuses %s with its AWS code', async (_name, call, code) => {
    await root.iam.send(new CreateRoleCommand({ RoleName: 'twice', AssumeRolePolicyDocument: trustAccount() })).catch(() => undefined);
    await root.iam.send(new CreateUserCommand({ UserName: 'twice' })).catch(() => undefined);
    expect((await refusal(call())).name).toBe(code);
  });

  it('a user gets access keys and inline policies, and IAM keeps a user policy within 2048 characters', async () => {
    const { clients, arn } = await userWith('lfs', { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' });
    expect(arn).toBe(`arn:aws:iam::${account()}:user/lfs`);
    expect((await root.iam.send(new ListUserPoliciesCommand({ UserName: 'lfs' }))).PolicyNames).toEqual(['p']);
    const got = await root.iam.send(new GetUserPolicyCommand({ UserName: 'lfs', PolicyName: 'p' }));
    expect(JSON.parse(decodeURIComponent(got.PolicyDocument!)).Statement[0].Action).toBe('s3:GetObject');
    expect((await root.iam.send(new ListAccessKeysCommand({ UserName: 'lfs' }))).AccessKeyMetadata).toHaveLength(1);
    const identity = await clients.sts.send(new GetCallerIdentityCommand({}));
    expect(identity).toMatchObject({ Account: account(), Arn: arn });
    expect(identity.UserId).toMatch(/^AIDA/);
    // A user may ask about itself only when its policy says so.
    expect((await refusal(clients.iam.send(new GetUserCommand({})))).name).toBe('AccessDenied');

    const big = policy(...Array.from({ length: 30 }, (_, i) => ({ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::bucket-number-${i}/*` })));
    expect((await refusal(root.iam.send(new PutUserPolicyCommand({ UserName: 'lfs', PolicyName: 'big', PolicyDocument: big })))).name).toBe('LimitExceeded');
    await root.iam.send(new CreateAccessKeyCommand({ UserName: 'lfs' }));
    expect((await refusal(root.iam.send(new CreateAccessKeyCommand({ UserName: 'lfs' })))).name).toBe('LimitExceeded');
  });

  it('a non-root user does exactly what its policy allows, and no more', async () => {
    await root.s3.send(new CreateBucketCommand({ Bucket: 'allowed' }));
    await root.s3.send(new CreateBucketCommand({ Bucket: 'other' }));
    const { clients } = await userWith('writer', { Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::allowed/*' });
    await clients.s3.send(new PutObjectCommand({ Bucket: 'allowed', Key: 'k', Body: 'v' }));
    expect((await refusal(clients.s3.send(new GetObjectCommand({ Bucket: 'allowed', Key: 'k' })))).name).toBe('AccessDenied');
    expect((await refusal(clients.s3.send(new PutObjectCommand({ Bucket: 'other', Key: 'k', Body: 'v' })))).name).toBe('AccessDenied');
    expect((await refusal(clients.iam.send(new CreateRoleCommand({ RoleName: 'escalate', AssumeRolePolicyDocument: trustAccount() })))).name).toBe('AccessDenied');
    expect((await refusal(clients.iam.send(new PutUserPolicyCommand({ UserName: 'writer', PolicyName: 'more', PolicyDocument: policy({ Effect: 'Allow', Action: '*', Resource: '*' }) })))).name).toBe('AccessDenied');
    // A policy change takes effect on the next request.
    await root.iam.send(new PutUserPolicyCommand({ UserName: 'writer', PolicyName: 'deny', PolicyDocument: policy({ Effect: 'Deny', Action: 's3:*', Resource: '*' }) }));
    expect((await refusal(clients.s3.send(new PutObjectCommand({ Bucket: 'allowed', Key: 'k', Body: 'v' })))).name).toBe('AccessDenied');
  });

  it('a queue policy naming a user lets it in without a policy of its own; a Deny there stops even the root', async () => {
    const { QueueUrl } = await root.sqs.send(new CreateQueueCommand({ QueueName: 'guarded' }));
    const queueArn = `arn:aws:sqs:${env.aws.region}:${account()}:guarded`;
    const named = await userWith('named');
    const stranger = await userWith('stranger');
    const send = (clients: Clients) => clients.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x' }));
    expect((await refusal(send(named.clients))).name).toBe('AccessDenied');
    const queuePolicy = policy(
      { Effect: 'Allow', Principal: { AWS: named.arn }, Action: 'sqs:SendMessage', Resource: queueArn },
      { Effect: 'Deny', Principal: '*', Action: 'sqs:PurgeQueue', Resource: queueArn },
    );
    await root.sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy: queuePolicy } }));
    await send(named.clients);
    expect((await refusal(send(stranger.clients))).name).toBe('AccessDenied');
    expect((await refusal(root.sqs.send(new PurgeQueueCommand({ QueueUrl })))).name).toBe('AccessDenied');
    const { Attributes } = await root.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
    expect(JSON.parse(Attributes!.Policy!)).toEqual(JSON.parse(queuePolicy));
  });

  it('AssumeRole honours the trust policy: a named user needs no policy of its own, a delegated account does', async () => {
    const direct = await userWith('direct');
    const delegated = await userWith('delegated');
    const allowed = await userWith('allowed', { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: `arn:aws:iam::${account()}:role/*` });
    await root.iam.send(new CreateRoleCommand({ RoleName: 'by-user', AssumeRolePolicyDocument: policy({ Effect: 'Allow', Principal: { AWS: direct.arn }, Action: 'sts:AssumeRole' }) }));
    await root.iam.send(new CreateRoleCommand({ RoleName: 'by-account', AssumeRolePolicyDocument: trustAccount() }));
    const assume = (clients: Clients, role: string) =>
      clients.sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account()}:role/${role}`, RoleSessionName: 's1' }));

    expect((await assume(direct.clients, 'by-user')).AssumedRoleUser!.Arn).toBe(`arn:aws:sts::${account()}:assumed-role/by-user/s1`);
    expect((await refusal(assume(direct.clients, 'by-account'))).name).toBe('AccessDenied');
    expect((await refusal(assume(delegated.clients, 'by-account'))).name).toBe('AccessDenied');
    expect((await refusal(assume(allowed.clients, 'by-user'))).name).toBe('AccessDenied');
    await assume(allowed.clients, 'by-account');
    // The root of the account is let in by a trust policy naming the account, not by one naming someone else.
    await assume(root, 'by-account');
    expect((await refusal(assume(root, 'by-user'))).name).toBe('AccessDenied');
  });
});
