import { GetBucketPolicyCommand, PutBucketPolicyCommand, S3ServiceException, type S3Client } from '@aws-sdk/client-s3';
import type { Logger } from 'pino';
import type { EncryptedBucket } from '../files/model.js';
import { createProcessLocks } from '../locks.js';
import { sessionArnOf } from './session-name.js';

/**
 * Revocation of upload credentials. STS cannot revoke one session's
 * credentials; the AWS way is an explicit Deny naming the session in a
 * resource policy, which beats every Allow. `revoke(fileId)` adds the file's
 * session ARN (`sessionArnOf`, the name the credential issuer gives every
 * session of that file, refreshes included) to a Deny statement in the
 * dock's bucket policy.
 *
 * The bucket policy is limited to 20 KiB. To fit as many revocations as
 * possible, revoked sessions are grouped by when their credentials will all
 * have expired (a five-minute window): one statement per window, carrying a
 * `DateLessThan aws:CurrentTime` condition so it stops mattering by itself,
 * and pruned on the next change. A session ARN costs about 90 bytes, so
 * roughly 200 cancellations fit per credential lifetime (1 h by default).
 * Beyond that `revoke` fails (RevocationCapacityError): the file is still
 * CANCELLED, and whatever its credentials still write is deleted from the
 * dock by the promotion worker and the cleanup job, never promoted.
 *
 * Other statements in the policy (an operator's own) are kept as they are.
 */
export interface RevocationsOptions {
  s3: S3Client;
  dock: EncryptedBucket;
  /** The upload role; sessions are named under it. */
  roleArn: string;
  /** The longest any upload credential lives, seconds: a revocation is kept that long. */
  maxCredentialSeconds: number;
  /**
   * Runs one read-modify-write of the policy at a time: across every
   * instance sharing a PostgreSQL database (an advisory lock), in this
   * process otherwise. @default this process only
   */
  exclusive?: <T>(work: () => Promise<T>) => Promise<T>;
  logger: Logger;
}

export interface Revocations {
  /** Refuses every credential ever issued for `fileId` on the dock, until they have all expired. */
  revoke(fileId: string): Promise<void>;
}

export class RevocationCapacityError extends Error {
  constructor(bytes: number, limit: number) {
    super(`the dock bucket policy would grow to ${bytes} bytes, over the ${limit}-byte limit`);
    this.name = 'RevocationCapacityError';
  }
}

/** S3's limit on the size of a bucket policy. */
const MAX_POLICY_BYTES = 20 * 1024;
const SID_PREFIX = 'LfsRevokedUntil';
const WINDOW_MS = 5 * 60_000;
/** Clock skew between LFS, STS and S3. */
const MARGIN_MS = 60_000;

interface Statement {
  Sid?: string;
  Effect: string;
  Principal?: unknown;
  Action?: unknown;
  Resource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
}

interface Policy {
  Version: string;
  Statement: Statement[];
  [key: string]: unknown;
}

const sidOf = (until: Date) => `${SID_PREFIX}${until.toISOString().slice(0, 16).replace(/\D/g, '')}`;
const untilOf = (statement: Statement) => statement.Condition?.DateLessThan?.['aws:CurrentTime'];
const asList = (value: unknown): string[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]) as string[];

/** Adds `sessionArn` to the window's statement and drops windows that have passed; pure, for tests. */
export function withRevocation(policy: Policy | undefined, sessionArn: string, dockBucket: string, until: Date, now: Date): Policy {
  const statements = (policy?.Statement ?? []).filter((statement) => {
    if (!statement.Sid?.startsWith(SID_PREFIX)) return true;
    const end = untilOf(statement);
    return typeof end === 'string' && Date.parse(end) > now.getTime();
  });
  const sid = sidOf(until);
  const existing = statements.find((statement) => statement.Sid === sid);
  if (existing) {
    const principals = asList((existing.Principal as { AWS?: unknown } | undefined)?.AWS);
    if (!principals.includes(sessionArn)) existing.Principal = { AWS: [...principals, sessionArn] };
  } else {
    statements.push({
      Sid: sid,
      Effect: 'Deny',
      Principal: { AWS: [sessionArn] },
      Action: 's3:*',
      Resource: `arn:aws:s3:::${dockBucket}/uploads/*`,
      Condition: { DateLessThan: { 'aws:CurrentTime': until.toISOString() } },
    });
  }
  return { ...policy, Version: policy?.Version ?? '2012-10-17', Statement: statements };
}

const processLocks = createProcessLocks();

export function createRevocations(options: RevocationsOptions): Revocations {
  const { s3 } = options;
  const dockBucket = options.dock.name;
  // One read-modify-write of the policy at a time.
  const exclusive = options.exclusive ?? ((work) => processLocks.withLock('dock bucket policy', work));

  async function readPolicy(): Promise<Policy | undefined> {
    try {
      const { Policy: text } = await s3.send(new GetBucketPolicyCommand({ Bucket: dockBucket }));
      return text ? (JSON.parse(text) as Policy) : undefined;
    } catch (error) {
      if (error instanceof S3ServiceException && error.name === 'NoSuchBucketPolicy') return undefined;
      throw error;
    }
  }

  const holds = (policy: Policy | undefined, sessionArn: string, sid: string) =>
    policy?.Statement.some((statement) => statement.Sid === sid && asList((statement.Principal as { AWS?: unknown }).AWS).includes(sessionArn)) ?? false;

  async function revokeNow(fileId: string): Promise<void> {
    const sessionArn = sessionArnOf(options.roleArn, fileId);
    const now = new Date();
    const until = new Date(Math.ceil((now.getTime() + options.maxCredentialSeconds * 1000 + MARGIN_MS) / WINDOW_MS) * WINDOW_MS);
    // Instances take turns (exclusive); a writer outside LFS may still change the policy between
    // our read and write: reading it back and retrying (merging is idempotent) keeps both changes.
    for (let attempt = 1; ; attempt++) {
      const next = withRevocation(await readPolicy(), sessionArn, dockBucket, until, now);
      const text = JSON.stringify(next);
      const bytes = Buffer.byteLength(text);
      if (bytes > MAX_POLICY_BYTES) throw new RevocationCapacityError(bytes, MAX_POLICY_BYTES);
      await s3.send(new PutBucketPolicyCommand({ Bucket: dockBucket, Policy: text }));
      if (holds(await readPolicy(), sessionArn, sidOf(until))) return;
      if (attempt === 3) throw new Error(`the revocation of ${fileId} did not stick in the dock bucket policy`);
      options.logger.warn({ fileId, attempt }, 'the dock bucket policy changed under a revocation; retrying');
    }
  }

  return {
    revoke: (fileId) => exclusive(() => revokeNow(fileId)),
  };
}
