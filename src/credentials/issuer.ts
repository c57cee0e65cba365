import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import { conflict } from '../errors.js';
import type { UploadCredentials } from '../uploads/ticket.js';
import { buildSessionPolicy } from './session-policy.js';

export interface CredentialIssuerOptions {
  sts: STSClient;
  roleArn: string;
  dockBucket: string;
  dockKmsKeyArn: string;
  /** Requested lifetime; the ticket deadline may cut it shorter. */
  ttlSeconds: number;
  /** STS refuses shorter sessions; the embedded endpoint can be told to accept less for tests. @default 900 */
  minTtlSeconds?: number;
}

export interface CredentialIssuer {
  /**
   * Credentials that can write only `key` in the dock, valid until `deadline`
   * at the latest. CONFLICT when the deadline is closer than the shortest
   * session STS grants: such credentials would outlive the ticket.
   */
  issue(fileId: string, key: string, deadline: Date, now?: Date): Promise<UploadCredentials>;
}

export function createCredentialIssuer(options: CredentialIssuerOptions): CredentialIssuer {
  const minTtl = options.minTtlSeconds ?? 900;
  return {
    async issue(fileId, key, deadline, now = new Date()) {
      const untilDeadline = Math.floor((deadline.getTime() - now.getTime()) / 1000);
      if (untilDeadline < minTtl) {
        throw conflict(`The upload deadline is ${Math.max(0, untilDeadline)} s away, less than the ${minTtl} s of the shortest credentials; request a new upload`);
      }
      const durationSeconds = Math.min(options.ttlSeconds, untilDeadline);
      const policy = buildSessionPolicy({ dockBucket: options.dockBucket, key, dockKmsKeyArn: options.dockKmsKeyArn });
      const result = await options.sts.send(
        new AssumeRoleCommand({
          RoleArn: options.roleArn,
          // Session names appear in CloudTrail: the file id ties every S3 call to its file.
          RoleSessionName: `lfs-${fileId}`.slice(0, 64),
          DurationSeconds: durationSeconds,
          Policy: JSON.stringify(policy),
        }),
      );
      const credentials = result.Credentials;
      if (!credentials?.AccessKeyId || !credentials.SecretAccessKey || !credentials.SessionToken || !credentials.Expiration) {
        throw new Error('STS AssumeRole returned no credentials');
      }
      return {
        accessKeyId: credentials.AccessKeyId,
        secretAccessKey: credentials.SecretAccessKey,
        sessionToken: credentials.SessionToken,
        expiration: credentials.Expiration,
      };
    },
  };
}
