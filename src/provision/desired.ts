import type { Config } from '../config.js';
import {
  dockBucketStatements,
  dockEventsQueuePolicy,
  keyPolicy,
  lfsPolicy,
  uploadRolePolicy,
  uploadRoleTrustPolicy,
  vaultBucketStatements,
  type Policy,
  type Statement,
} from './policies.js';
import type { Json, Refs, Str } from './values.js';

/**
 * Response headers a browser's upload must read from the dock: lib-storage
 * needs each part's ETag; the SDK reads the checksum and encryption headers.
 */
export const DOCK_EXPOSED_HEADERS = [
  'ETag',
  'x-amz-request-id',
  'x-amz-version-id',
  'x-amz-server-side-encryption',
  'x-amz-server-side-encryption-aws-kms-key-id',
  'x-amz-checksum-crc32',
  'x-amz-checksum-crc32c',
  'x-amz-checksum-crc64nvme',
  'x-amz-checksum-sha256',
  'x-amz-checksum-type',
];

/** Where the resources are provisioned, which decides what can be asked of them. */
export interface Target {
  /** AWS itself: every feature, and HTTPS. */
  aws: boolean;
  /** Requests reach the endpoint over TLS, so a TLS-only bucket policy can hold. */
  tls: boolean;
}

export function targetOf(config: Config): Target {
  // The embedded endpoint serves plain HTTP unless given a certificate or put behind a TLS proxy (LFS_LOCAL_AWS_SECURE_TRANSPORT).
  if (config.aws.local) return { aws: false, tls: config.aws.localTls !== undefined || config.aws.localSecureTransport };
  const endpoint = config.aws.endpoint;
  return endpoint ? { aws: false, tls: endpoint.startsWith('https:') } : { aws: true, tls: true };
}

export interface KeySpec {
  which: 'dock' | 'vault';
  /** As configured: `alias/<name>` (created when missing), or a key id or ARN (must exist). */
  configured: string;
  description: string;
  policy: Policy;
}

export interface QueueSpec {
  which: 'dead-letter' | 'dock-events' | 'file-events';
  name: string;
  /** SQS attributes; JSON ones (RedrivePolicy, Policy) as objects. */
  attributes: Record<string, Json>;
}

export interface BucketSpec {
  which: 'dock' | 'vault';
  name: string;
  keyArn: Str;
  /** LFS's statements of the bucket policy; others in the policy are kept. */
  statements: Statement[];
  cors?: ReturnType<typeof dockCorsRule>;
  lifecycle?: ReturnType<typeof dockLifecycleRule>;
  notification?: typeof DOCK_NOTIFICATION & { QueueArn: Str };
}

/** The dock's CORS rule: the pages of LFS_UPLOAD_ORIGINS upload and read what the SDK needs (on AWS and on Ceph). */
export function dockCorsRule(config: Config) {
  return {
    ID: 'lfs-browser-uploads',
    AllowedOrigins: [...config.uploads.origins],
    AllowedMethods: ['PUT', 'POST', 'GET', 'HEAD', 'DELETE'],
    AllowedHeaders: ['*'],
    ExposeHeaders: DOCK_EXPOSED_HEADERS,
    MaxAgeSeconds: 3600,
  };
}

/** The backstop behind the cleanup job: the engine deletes dock objects and aborts uploads older than this. */
export function dockLifecycleRule(config: Config) {
  const days = config.cleanup.dockLifecycleDays;
  return {
    ID: 'lfs-dock-backstop',
    Status: 'Enabled' as const,
    Filter: { Prefix: '' },
    Expiration: { Days: days },
    AbortIncompleteMultipartUpload: { DaysAfterInitiation: days },
  };
}

/** The dock's notification of finished uploads, without its destination (a queue on AWS, a topic on Ceph). */
export const DOCK_NOTIFICATION = {
  Id: 'lfs-dock-object-created',
  Events: ['s3:ObjectCreated:*' as const],
  Filter: { Key: { FilterRules: [{ Name: 'prefix' as const, Value: 'uploads/' }] } },
};

export interface RoleSpec {
  name: string;
  /** IAM path, `/` unless the configured ARN names one. */
  path: string;
  trustPolicy: Policy;
  maxSessionDuration: number;
  policyName: string;
  policy: Policy;
}

export interface DesiredState {
  uploadRole: RoleSpec;
  keys: KeySpec[];
  queues: QueueSpec[];
  buckets: BucketSpec[];
  /** Printed for the operator, or put on LFS's principal with --create-lfs-policy. */
  lfsPolicy: Policy;
  /** What the plan leaves out or cannot check here, and why. */
  notes: string[];
}

/** The longest STS session (12 h), so LFS_CREDENTIALS_TTL_SECONDS can go that far. */
const MAX_SESSION_SECONDS = 43_200;
/** Dock events that failed too often wait for an operator: 14 days, SQS's longest. */
const DEAD_LETTER_RETENTION_SECONDS = 1_209_600;

/** The role's name and path from its ARN (`arn:aws:iam::<account>:role/<path/>name`). */
export function roleNameAndPath(roleArn: string | undefined): { name: string; path: string } {
  if (!roleArn) return { name: 'lfs-upload', path: '/' };
  const parts = roleArn.slice(roleArn.indexOf(':role/') + ':role/'.length).split('/');
  const name = parts.pop()!;
  return { name, path: parts.length > 0 ? `/${parts.join('/')}/` : '/' };
}

export const isAlias = (keyId: string) => keyId.startsWith('alias/');

/** Everything DESIGN.md asks of the account, from LFS's settings and the references of the place it goes. */
export function desiredState(config: Config, refs: Refs, target: Target): DesiredState {
  const { storage } = config;
  const notes: string[] = [];
  if (!target.tls) notes.push('the endpoint is plain HTTP: the buckets get no TLS-only statement (on AWS, and on an HTTPS endpoint, they do)');
  const { name, path } = roleNameAndPath(storage.uploadRoleArn);
  const bucket = (which: 'dock' | 'vault', name: string, keyArn: Str) => ({ which, name, keyArn, options: { bucket: name, keyArn, tlsOnly: target.tls } });
  const dock = bucket('dock', storage.dockBucket, refs.dockKeyArn);
  const vault = bucket('vault', storage.vaultBucket, refs.vaultKeyArn);
  return {
    uploadRole: {
      name,
      path,
      trustPolicy: uploadRoleTrustPolicy(refs),
      maxSessionDuration: MAX_SESSION_SECONDS,
      policyName: 'lfs-upload',
      policy: uploadRolePolicy(storage.dockBucket, refs),
    },
    keys: [
      { which: 'dock', configured: storage.dockKmsKeyId, description: 'LFS loading dock: uploads in flight', policy: keyPolicy('dock', refs) },
      { which: 'vault', configured: storage.vaultKmsKeyId, description: 'LFS vault: promoted files', policy: keyPolicy('vault', refs) },
    ],
    queues: [
      { which: 'dead-letter', name: `${storage.dockEventsQueue}-dlq`, attributes: { MessageRetentionPeriod: DEAD_LETTER_RETENTION_SECONDS } },
      {
        which: 'dock-events',
        name: storage.dockEventsQueue,
        attributes: {
          VisibilityTimeout: config.promotion.visibilitySeconds,
          RedrivePolicy: { deadLetterTargetArn: refs.deadLetterQueueArn, maxReceiveCount: config.promotion.maxReceives },
          Policy: dockEventsQueuePolicy(storage.dockBucket, refs),
        },
      },
      { which: 'file-events', name: storage.fileEventsQueue, attributes: {} },
    ],
    buckets: [
      {
        which: 'dock',
        name: dock.name,
        keyArn: dock.keyArn,
        statements: dockBucketStatements(dock.options),
        cors: dockCorsRule(config),
        lifecycle: dockLifecycleRule(config),
        notification: { ...DOCK_NOTIFICATION, QueueArn: refs.dockEventsQueueArn },
      },
      { which: 'vault', name: vault.name, keyArn: vault.keyArn, statements: vaultBucketStatements(vault.options, refs) },
    ],
    lfsPolicy: lfsPolicy({ dockBucket: storage.dockBucket, vaultBucket: storage.vaultBucket }, refs),
    notes,
  };
}
