import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import { conflict } from '../errors.js';
import { dockKeyOf, type EncryptedBucket } from '../files/model.js';
import { sessionNameOf } from './session-name.js';
import { buildSessionPolicy } from './session-policy.js';

/** Temporary credentials for one file's dock key; `UploadCredentials` in schema.graphql. */
export interface UploadCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

export interface CredentialIssuerOptions {
  sts: STSClient;
  roleArn: string;
  dock: EncryptedBucket;
  /** Requested lifetime; the ticket deadline may cut it shorter. */
  ttlSeconds: number;
  /** Name the KMS actions in the session policy; false on Ceph, whose gateway refuses them (see `SessionPolicyInput`). @default true */
  kmsStatement?: boolean;
  /** STS refuses shorter sessions; the embedded endpoint can be told to accept less for tests. @default 900 */
  minTtlSeconds?: number;
}

export interface CredentialIssuer {
  /**
   * Credentials that can write only the file's dock key, valid until
   * `deadline` at the latest. CONFLICT when the deadline is closer than the
   * shortest session STS grants: such credentials would outlive the ticket.
   */
  issue(fileId: string, deadline: Date, now?: Date): Promise<UploadCredentials>;
}

export function createCredentialIssuer(options: CredentialIssuerOptions): CredentialIssuer {
  const minTtl = options.minTtlSeconds ?? 900;
  return {
    async issue(fileId, deadline, now = new Date()) {
      const untilDeadline = Math.floor((deadline.getTime() - now.getTime()) / 1000);
      if (untilDeadline < minTtl) {
        throw conflict(`The upload deadline is ${Math.max(0, untilDeadline)} s away, less than the ${minTtl} s of the shortest credentials; request a new upload`);
      }
      const policy = buildSessionPolicy({ dockBucket: options.dock.name, key: dockKeyOf(fileId), dockKmsKeyArn: options.dock.kmsKeyArn, kmsStatement: options.kmsStatement });
      const result = await options.sts.send(
        new AssumeRoleCommand({
          RoleArn: options.roleArn,
          RoleSessionName: sessionNameOf(fileId),
          DurationSeconds: Math.min(options.ttlSeconds, untilDeadline),
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
