import { stringify } from 'yaml';
import type { Config } from '../config.js';
import { desiredState, isAlias, type BucketSpec, type DesiredState, type KeySpec, type QueueSpec } from './desired.js';
import type { Json, Refs, Str } from './values.js';

const LOGICAL = {
  dockKey: 'DockKey',
  vaultKey: 'VaultKey',
  'dead-letter': 'DockEventsDeadLetterQueue',
  'dock-events': 'DockEventsQueue',
  'file-events': 'FileEventsQueue',
  dock: 'DockBucket',
  vault: 'VaultBucket',
} as const;

const getAtt = (resource: string, attribute: string) => ({ 'Fn::GetAtt': [resource, attribute] as [string, string] });
const keyRef = (configured: string, logical: string): Str => (isAlias(configured) ? getAtt(logical, 'Arn') : configured);

/** The references as CloudFormation resolves them: the stack's account and region, its resources' ARNs, a parameter for LFS. */
function templateRefs(config: Config): Refs {
  return {
    accountId: { Ref: 'AWS::AccountId' },
    region: { Ref: 'AWS::Region' },
    accountRootArn: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' },
    lfsPrincipalArn: { Ref: 'LfsPrincipalArn' },
    uploadRoleArn: getAtt('UploadRole', 'Arn'),
    dockKeyArn: keyRef(config.storage.dockKmsKeyId, LOGICAL.dockKey),
    vaultKeyArn: keyRef(config.storage.vaultKmsKeyId, LOGICAL.vaultKey),
    dockEventsQueueArn: getAtt(LOGICAL['dock-events'], 'Arn'),
    deadLetterQueueArn: getAtt(LOGICAL['dead-letter'], 'Arn'),
    fileEventsQueueArn: getAtt(LOGICAL['file-events'], 'Arn'),
  };
}

type Resource = { Type: string; Properties: Record<string, Json>; DependsOn?: string[]; DeletionPolicy?: string; UpdateReplacePolicy?: string };
/** Keys and buckets hold the data: deleting the stack must not delete them. */
const RETAIN = { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' };

function keyResources(spec: KeySpec): Record<string, Resource> {
  if (!isAlias(spec.configured)) return {};
  const logical = spec.which === 'dock' ? LOGICAL.dockKey : LOGICAL.vaultKey;
  return {
    [logical]: {
      Type: 'AWS::KMS::Key',
      ...RETAIN,
      // The key policy names the upload role, which must exist first.
      DependsOn: ['UploadRole'],
      Properties: { Description: spec.description, KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'ENCRYPT_DECRYPT', KeyPolicy: spec.policy, Tags: [{ Key: 'lfs:alias', Value: spec.configured }] },
    },
    [`${logical}Alias`]: { Type: 'AWS::KMS::Alias', Properties: { AliasName: spec.configured, TargetKeyId: { Ref: logical } } },
  };
}

function queueResource(spec: QueueSpec): Resource {
  const { Policy: _policy, ...attributes } = spec.attributes;
  return { Type: 'AWS::SQS::Queue', Properties: { QueueName: spec.name, ...attributes } };
}

function bucketResource(spec: BucketSpec): Resource {
  const properties: Record<string, Json> = {
    BucketName: spec.name,
    PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
    BucketEncryption: {
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: spec.keyArn }, BucketKeyEnabled: true }],
    },
  };
  if (spec.cors) {
    const { ID, AllowedOrigins, AllowedMethods, AllowedHeaders, ExposeHeaders, MaxAgeSeconds } = spec.cors;
    properties.CorsConfiguration = { CorsRules: [{ Id: ID, AllowedOrigins, AllowedMethods, AllowedHeaders, ExposedHeaders: ExposeHeaders, MaxAge: MaxAgeSeconds }] };
  }
  if (spec.lifecycle) {
    const { ID, Status, Expiration, AbortIncompleteMultipartUpload } = spec.lifecycle;
    properties.LifecycleConfiguration = { Rules: [{ Id: ID, Status, ExpirationInDays: Expiration.Days, AbortIncompleteMultipartUpload }] };
  }
  if (spec.notification) {
    const { QueueArn, Events, Filter } = spec.notification;
    properties.NotificationConfiguration = {
      QueueConfigurations: Events.map((event) => ({ Event: event, Queue: QueueArn, Filter: { S3Key: { Rules: Filter.Key.FilterRules } } })),
    };
  }
  return {
    Type: 'AWS::S3::Bucket',
    ...RETAIN,
    // S3 accepts the notification only once the queue's policy lets it send.
    ...(spec.notification ? { DependsOn: ['DockEventsQueuePolicy'] } : {}),
    Properties: properties,
  };
}

function resources(state: DesiredState): Record<string, Resource> {
  const role = state.uploadRole;
  const dockEvents = state.queues.find((queue) => queue.which === 'dock-events')!;
  const out: Record<string, Resource> = {
    UploadRole: {
      Type: 'AWS::IAM::Role',
      Properties: { RoleName: role.name, Path: role.path, AssumeRolePolicyDocument: role.trustPolicy, MaxSessionDuration: role.maxSessionDuration },
    },
    ...Object.assign({}, ...state.keys.map(keyResources)),
    // Apart from the role: the role policy names the dock key, whose policy names the role.
    UploadRolePolicy: { Type: 'AWS::IAM::Policy', Properties: { PolicyName: role.policyName, Roles: [{ Ref: 'UploadRole' }], PolicyDocument: role.policy } },
    LfsPolicy: {
      Type: 'AWS::IAM::ManagedPolicy',
      Properties: { ManagedPolicyName: 'lfs-service', Description: "What LFS itself needs: attach it to LFS's role or user", PolicyDocument: state.lfsPolicy },
    },
  };
  for (const queue of state.queues) out[LOGICAL[queue.which]] = queueResource(queue);
  out.DockEventsQueuePolicy = { Type: 'AWS::SQS::QueuePolicy', Properties: { Queues: [{ Ref: LOGICAL['dock-events'] }], PolicyDocument: dockEvents.attributes.Policy } };
  for (const bucket of state.buckets) {
    out[LOGICAL[bucket.which]] = bucketResource(bucket);
    out[`${LOGICAL[bucket.which]}Policy`] = {
      Type: 'AWS::S3::BucketPolicy',
      Properties: { Bucket: { Ref: LOGICAL[bucket.which] }, PolicyDocument: { Version: '2012-10-17', Statement: bucket.statements } },
    };
  }
  return out;
}

/** `lfs provision --cloudformation`: the same desired state as a template, for those who deploy with CloudFormation. */
export function cloudFormationTemplate(config: Config): string {
  const state = desiredState(config, templateRefs(config), { aws: true, tls: true });
  const template = {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: 'Large File Service (LFS): what `lfs provision` creates, generated by `lfs provision --cloudformation`; do not edit by hand',
    Parameters: {
      LfsPrincipalArn: { Type: 'String', Description: 'ARN of the IAM role (or user) LFS runs as: the only principal that may assume the upload role, use the keys and touch the vault' },
    },
    Resources: resources(state),
    Outputs: {
      UploadRoleArn: { Description: 'LFS_UPLOAD_ROLE_ARN', Value: getAtt('UploadRole', 'Arn') },
      DockKeyArn: { Description: 'LFS_DOCK_KMS_KEY_ID', Value: templateRefs(config).dockKeyArn },
      VaultKeyArn: { Description: 'LFS_VAULT_KMS_KEY_ID', Value: templateRefs(config).vaultKeyArn },
      LfsPolicyArn: { Description: "Attach to LFS's role or user", Value: { Ref: 'LfsPolicy' } },
    },
  };
  // YAML 1.1 quotes what a 1.1 reader would take for a date (2012-10-17), as CloudFormation's reader might.
  return stringify(template, { version: '1.1', lineWidth: 0, aliasDuplicateObjects: false });
}
