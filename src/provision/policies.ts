import { buildUploadRolePolicy } from '../credentials/session-policy.js';
import { bucketArnOf, type Json, type Refs, type Str } from './values.js';

/** An IAM policy document; `Sid`s starting with `Lfs` are the statements provisioning owns. */
export interface Policy {
  Version: '2012-10-17';
  Statement: Statement[];
  [key: string]: Json;
}

export interface Statement {
  Sid: string;
  Effect: 'Allow' | 'Deny';
  Principal?: '*' | { AWS?: Str | Str[]; Service?: string };
  Action: string | string[];
  /** Absent only in a trust policy, whose resource is the role itself. */
  Resource?: Str | Str[];
  Condition?: Record<string, Record<string, Str | Str[]>>;
  [key: string]: Json | undefined;
}

const policy = (...statements: Statement[]): Policy => ({ Version: '2012-10-17', Statement: statements });

/** Managing a key, never using it: the account's IAM administrators keep control, not access to data. */
const KEY_ADMINISTRATION = [
  'kms:Create*',
  'kms:Describe*',
  'kms:Enable*',
  'kms:List*',
  'kms:Put*',
  'kms:Update*',
  'kms:Revoke*',
  'kms:Disable*',
  'kms:Get*',
  'kms:Delete*',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
];

/**
 * A key policy: the account administers the key; LFS uses it (and reads
 * what it needs to check it); the upload role may encrypt and decrypt with
 * the dock key only. Nobody else can use either key.
 */
export function keyPolicy(key: 'dock' | 'vault', refs: Refs): Policy {
  const statements: Statement[] = [
    { Sid: 'LfsKeyAdministration', Effect: 'Allow', Principal: { AWS: refs.accountRootArn }, Action: KEY_ADMINISTRATION, Resource: '*' },
    {
      Sid: 'LfsUsesTheKey',
      Effect: 'Allow',
      Principal: { AWS: refs.lfsPrincipalArn },
      Action: ['kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:GenerateDataKey', 'kms:Decrypt'],
      Resource: '*',
    },
  ];
  if (key === 'dock') {
    statements.push({
      Sid: 'LfsUploadsUseTheDockKey',
      Effect: 'Allow',
      Principal: { AWS: refs.uploadRoleArn },
      Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
      Resource: '*',
    });
  }
  return policy(...statements);
}

/** Only LFS may assume the upload role (and then only with a session policy naming one key). */
export function uploadRoleTrustPolicy(refs: Refs): Policy {
  return policy({ Sid: 'LfsAssumesTheUploadRole', Effect: 'Allow', Principal: { AWS: refs.lfsPrincipalArn }, Action: 'sts:AssumeRole' });
}

/** The upload role's own policy: write-only on the dock's uploads, the dock key; nothing else. */
export function uploadRolePolicy(dockBucket: string, refs: Refs): Policy {
  // The credentials module owns its shape (sessions narrow it to one key); the key ARN may be a template reference here.
  return buildUploadRolePolicy(dockBucket, refs.dockKeyArn as string) as Policy;
}

export interface LfsPolicyNames {
  dockBucket: string;
  vaultBucket: string;
}

/**
 * What LFS itself needs, and only that: serve uploads (assume the upload
 * role, revoke sessions in the dock's policy, stream the fallback upload),
 * promote (read and delete the dock, write, verify and clean up the vault,
 * both keys), run its queues, and read its own resources' configuration so
 * the start-up check can name what is missing.
 */
export function lfsPolicy(names: LfsPolicyNames, refs: Refs): Policy {
  const dock = bucketArnOf(names.dockBucket);
  const vault = bucketArnOf(names.vaultBucket);
  const readConfiguration = ['s3:GetBucketLocation', 's3:GetEncryptionConfiguration', 's3:GetBucketPolicy', 's3:GetBucketPublicAccessBlock'];
  const objects = ['s3:PutObject', 's3:GetObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'];
  return policy(
    { Sid: 'LfsDockObjects', Effect: 'Allow', Action: objects, Resource: `${dock}/*` },
    {
      Sid: 'LfsDockBucket',
      Effect: 'Allow',
      Action: [
        's3:ListBucket',
        's3:ListBucketMultipartUploads',
        's3:PutBucketPolicy',
        ...readConfiguration,
        's3:GetBucketCORS',
        's3:GetLifecycleConfiguration',
        's3:GetBucketNotification',
      ],
      Resource: dock,
    },
    { Sid: 'LfsVaultObjects', Effect: 'Allow', Action: objects, Resource: `${vault}/*` },
    { Sid: 'LfsVaultBucket', Effect: 'Allow', Action: ['s3:ListBucket', 's3:ListBucketMultipartUploads', ...readConfiguration], Resource: vault },
    {
      Sid: 'LfsKeys',
      Effect: 'Allow',
      Action: ['kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:GenerateDataKey', 'kms:Decrypt'],
      Resource: [refs.dockKeyArn, refs.vaultKeyArn],
    },
    { Sid: 'LfsUploadRole', Effect: 'Allow', Action: ['sts:AssumeRole', 'iam:GetRole', 'iam:GetRolePolicy'], Resource: refs.uploadRoleArn },
    {
      Sid: 'LfsDockEvents',
      Effect: 'Allow',
      Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
      Resource: refs.dockEventsQueueArn,
    },
    { Sid: 'LfsDeadLetters', Effect: 'Allow', Action: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl'], Resource: refs.deadLetterQueueArn },
    { Sid: 'LfsFileEvents', Effect: 'Allow', Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'], Resource: refs.fileEventsQueueArn },
  );
}

export interface BucketPolicyOptions {
  bucket: string;
  keyArn: Str;
  /** Deny requests not made over TLS (AWS; an endpoint served over HTTPS). */
  tlsOnly: boolean;
}

/** What both buckets refuse: plain HTTP (when TLS is there to require), and a write naming another encryption or key. */
function baseBucketStatements({ bucket, keyArn, tlsOnly }: BucketPolicyOptions): Statement[] {
  const arn = bucketArnOf(bucket);
  const statements: Statement[] = [];
  if (tlsOnly) {
    statements.push({
      Sid: 'LfsDenyInsecureTransport',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [arn, `${arn}/*`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
  }
  // Only a write that names an encryption is checked (Null false: the header is there): one naming nothing
  // gets the bucket's default, SSE-KMS with this key, and UploadPart never names one.
  const sse = 's3:x-amz-server-side-encryption';
  const key = 's3:x-amz-server-side-encryption-aws-kms-key-id';
  statements.push(
    {
      Sid: 'LfsDenyOtherEncryption',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:PutObject',
      Resource: `${arn}/*`,
      Condition: { StringNotEquals: { [sse]: 'aws:kms' }, Null: { [sse]: 'false' } },
    },
    {
      Sid: 'LfsDenyOtherKey',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:PutObject',
      Resource: `${arn}/*`,
      Condition: { StringNotEquals: { [key]: keyArn }, Null: { [key]: 'false' } },
    },
  );
  return statements;
}

/** The dock's statements; revocations (`LfsRevokedUntil…`) and an operator's own statements live beside them. */
export function dockBucketStatements(options: BucketPolicyOptions): Statement[] {
  return baseBucketStatements(options);
}

/** The vault's statements: the base ones, and no one but LFS touches or lists its objects. */
export function vaultBucketStatements(options: BucketPolicyOptions, refs: Refs): Statement[] {
  const arn = bucketArnOf(options.bucket);
  const notLfs = { ArnNotEquals: { 'aws:PrincipalArn': refs.lfsPrincipalArn } };
  return [
    ...baseBucketStatements(options),
    { Sid: 'LfsOnlyLfsTouchesObjects', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: `${arn}/*`, Condition: notLfs },
    {
      Sid: 'LfsOnlyLfsLists',
      Effect: 'Deny',
      Principal: '*',
      Action: ['s3:ListBucket', 's3:ListBucketVersions', 's3:ListBucketMultipartUploads'],
      Resource: arn,
      Condition: notLfs,
    },
  ];
}

/** Only S3, for the dock bucket of this account, may send to the dock-events queue. */
export function dockEventsQueuePolicy(dockBucket: string, refs: Refs): Policy {
  return policy({
    Sid: 'LfsDockBucketSends',
    Effect: 'Allow',
    Principal: { Service: 's3.amazonaws.com' },
    Action: 'sqs:SendMessage',
    Resource: refs.dockEventsQueueArn,
    Condition: { ArnLike: { 'aws:SourceArn': bucketArnOf(dockBucket) }, StringEquals: { 'aws:SourceAccount': refs.accountId } },
  });
}
