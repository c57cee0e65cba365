import { z } from 'zod';
import { bool, int } from './fields.js';

/**
 * Where the S3/STS/SQS endpoint is (the embedded one by default), and the
 * buckets, keys, queues and role LFS uses there.
 */
export const awsSettings = {
  /** Run the embedded AWS-compatible endpoint in process. @default true unless LFS_AWS_ENDPOINT is set */
  LFS_LOCAL_AWS: bool.optional(),
  /** @default 4566 */
  LFS_LOCAL_AWS_PORT: int(0, 65535).default(4566),
  /** The embedded endpoint sits behind a TLS proxy: count its connections as secure (aws:SecureTransport). @default false */
  LFS_LOCAL_AWS_SECURE_TRANSPORT: bool.default(false),
  /**
   * PEM certificate and key files (set both): the embedded endpoint serves
   * HTTPS with them, LFS trusts that certificate for its own calls, and the
   * buckets get their TLS-only statement. Browsers must trust it too. @default HTTP
   */
  LFS_LOCAL_AWS_TLS_CERT: z.string().min(1).optional(),
  LFS_LOCAL_AWS_TLS_KEY: z.string().min(1).optional(),
  /** Shortest STS session the embedded endpoint grants (AWS: 900); tests lower it. @default 900 */
  LFS_LOCAL_AWS_MIN_SESSION_SECONDS: int(1, 900).default(900),
  /**
   * Open multipart uploads one key of the embedded endpoint may have; the next
   * CreateMultipartUpload is refused (InvalidRequest, 400). AWS has no such
   * limit; LFS_MAX_UPLOADS_PER_FILE is what LFS enforces on any engine. @default 10
   */
  LFS_LOCAL_AWS_MAX_UPLOADS_PER_KEY: int(1, 1_000_000).default(10),
  /** Root credentials of `lfs local-aws` (set both); generated into its data folder when unset. */
  LFS_LOCAL_AWS_ACCESS_KEY_ID: z.string().min(1).optional(),
  LFS_LOCAL_AWS_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  /** The S3/STS/SQS endpoint URL; set it to use an external endpoint, leave empty for AWS. */
  LFS_AWS_ENDPOINT: z.string().url().optional(),
  /**
   * A PEM file of certificate authorities LFS trusts for LFS_AWS_ENDPOINT, in
   * addition to Node's (an endpoint with a private or self-signed certificate).
   */
  LFS_AWS_CA_FILE: z.string().min(1).optional(),
  /** The endpoint URL handed to browsers (when it differs from LFS's own view). */
  LFS_AWS_PUBLIC_ENDPOINT: z.string().url().optional(),
  /** @default us-east-1 */
  LFS_AWS_REGION: z.string().min(1).default('us-east-1'),
  /**
   * Static credentials LFS signs its AWS calls with (set both); the SDK's
   * default provider chain when unset (AWS_* environment variables, the
   * shared config and credentials files and AWS_PROFILE, web identity,
   * ECS container and EC2 instance metadata). In embedded mode they become
   * the embedded endpoint's root credentials.
   */
  LFS_AWS_ACCESS_KEY_ID: z.string().min(1).optional(),
  LFS_AWS_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  /** With temporary static credentials (an STS session): their session token. */
  LFS_AWS_SESSION_TOKEN: z.string().min(1).optional(),
  /** The account LFS's resources live in. @default the account of LFS's credentials (STS GetCallerIdentity); 000000000000 embedded */
  LFS_AWS_ACCOUNT_ID: z.string().regex(/^\d{12}$/).optional(),
  /**
   * Against AWS or an external endpoint, LFS only checks at start that what
   * `lfs provision` creates is there and as it should be; true makes it
   * create or fix it instead (its credentials then need provisioning rights).
   * The embedded endpoint is always provisioned at start. @default false
   */
  LFS_PROVISION_ON_START: bool.default(false),
  /** While resources are missing, LFS checks again this often and becomes ready once they are there. @default 30 */
  LFS_RESOURCE_RECHECK_SECONDS: int(1, 3600).default(30),
  /** @default lfs-dock */
  LFS_DOCK_BUCKET: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/).default('lfs-dock'),
  /** @default lfs-vault */
  LFS_VAULT_BUCKET: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/).default('lfs-vault'),
  /** KMS key the dock requires. @default alias/lfs-dock */
  LFS_DOCK_KMS_KEY_ID: z.string().min(1).default('alias/lfs-dock'),
  /** KMS key the vault copy is encrypted with. @default alias/lfs-vault */
  LFS_VAULT_KMS_KEY_ID: z.string().min(1).default('alias/lfs-vault'),
  /** @default lfs-dock-events */
  LFS_DOCK_EVENTS_QUEUE: z.string().regex(/^[A-Za-z0-9_-]{1,80}$/).default('lfs-dock-events'),
  /** @default lfs-file-events */
  LFS_FILE_EVENTS_QUEUE: z.string().regex(/^[A-Za-z0-9_-]{1,80}$/).default('lfs-file-events'),
  /** Role assumed for upload credentials; defaults to arn:aws:iam::<account>:role/lfs-upload. */
  LFS_UPLOAD_ROLE_ARN: z
    .string()
    // Ceph's gateway names roles without an account (or with its tenant): arn:aws:iam:::role/name.
    .regex(/^arn:aws[a-z-]*:iam::(\d{12}|[\w-]*):role\/([\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/, 'must be an IAM role ARN (arn:aws:iam::<account>:role/[path/]name)')
    .optional(),
};
