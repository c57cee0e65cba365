/** The records LFS keeps about each file; `File` in schema.graphql is their public shape. */

export const fileStatuses = ['AWAITING_UPLOAD', 'PROMOTING', 'AVAILABLE', 'FAILED', 'CANCELLED', 'EXPIRED'] as const;
export type FileStatus = (typeof fileStatuses)[number];

export const checksumAlgorithms = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA256'] as const;
export type ChecksumAlgorithm = (typeof checksumAlgorithms)[number];

export interface Checksum {
  algorithm: ChecksumAlgorithm;
  /** Base64, as S3 sends it in `x-amz-checksum-*`. */
  value: string;
}

export interface FileRecord {
  id: string;
  /** The token's subject. */
  owner: string;
  /** The token's tenant; owners and admins only see files of their tenant. */
  tenant: string;
  name: string;
  size: number;
  contentType: string;
  metadata: Record<string, unknown>;
  status: FileStatus;
  checksum: Checksum | null;
  failureReason: string | null;
  createdAt: Date;
  /** When the dock object was completed. */
  uploadedAt: Date | null;
  availableAt: Date | null;
  /** After this the ticket is EXPIRED if nothing was uploaded. */
  uploadDeadline: Date;
  updatedAt: Date;
  /** Bytes already copied into the vault while PROMOTING (parallel copies report per part). */
  promotedBytes: number;
}

export type NewFile = Pick<
  FileRecord,
  'id' | 'owner' | 'tenant' | 'name' | 'size' | 'contentType' | 'metadata' | 'checksum' | 'createdAt' | 'uploadDeadline'
>;

/** Fields a transition may set along with the status. */
export interface TransitionPatch {
  failureReason?: string | null;
  uploadedAt?: Date | null;
  availableAt?: Date | null;
}

/** The identity behind a GraphQL request, from the bearer token. */
export interface Caller {
  subject: string;
  tenant: string;
  admin: boolean;
}

/** Transitions, plus PROGRESS while a long vault copy runs (no status change). */
export type FileEventType = 'STATUS_CHANGED' | 'AVAILABLE' | 'FAILED' | 'PROGRESS';

/** Emitted for every status transition. */
export interface FileEvent {
  type: FileEventType;
  file: FileRecord;
  at: Date;
}

/**
 * A bucket and the KMS key its objects are encrypted with, as resolved at
 * start (a key ARN, also on the embedded endpoint). The dock and the vault
 * reach every service as one of these.
 */
export interface EncryptedBucket {
  name: string;
  kmsKeyArn: string;
}

export function dockKeyOf(fileId: string): string {
  return `uploads/${fileId}`;
}

export function vaultKeyOf(fileId: string): string {
  return `files/${fileId}`;
}

/** The file id in a dock key, or undefined when the key is not one of ours. */
export function fileIdOfDockKey(key: string): string | undefined {
  const match = /^uploads\/([A-Za-z0-9_-]{1,64})$/.exec(key);
  return match?.[1];
}

/** The file id in a vault key, or undefined when the key is not one of ours. */
export function fileIdOfVaultKey(key: string): string | undefined {
  const match = /^files\/([A-Za-z0-9_-]{1,64})$/.exec(key);
  return match?.[1];
}

/** Owners see their files; admins see every file of their tenant. */
export function canSee(caller: Caller, file: FileRecord): boolean {
  if (file.tenant !== caller.tenant) return false;
  return caller.admin || file.owner === caller.subject;
}
