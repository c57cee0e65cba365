import type { LocalDb } from '../db.js';
import { AwsError } from '../errors.js';
import type { PolicyDocument, Principal, RootCredentials } from '../types.js';
import { loadRootCredentials, loadSessionKeys } from './key-files.js';
import type { RoleStore } from './roles.js';
import { uniqueId } from './roles.js';
import { decryptToken, deriveSecret, encryptToken } from './session-token.js';

export interface ResolvedCredentials {
  secretAccessKey: string;
  principal: Exclude<Principal, { kind: 'anonymous' }>;
}

export interface SessionGrant {
  roleArn: string;
  sessionName: string;
  durationSeconds: number;
  sessionPolicy?: PolicyDocument;
}

export interface IssuedSession {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
  assumedRoleArn: string;
  assumedRoleId: string;
}

export interface CredentialStore {
  readonly root: RootCredentials;
  /**
   * Finds the secret and principal for an access key id (and session token for
   * temporary credentials). Throws AwsError InvalidAccessKeyId (unknown key),
   * InvalidToken (token missing/forged/not matching the key) or ExpiredToken.
   */
  resolve(accessKeyId: string, sessionToken: string | undefined, now?: Date): ResolvedCredentials;
  /** Issues temporary credentials for an assumed role (called by STS AssumeRole). */
  issue(grant: SessionGrant, now?: Date): IssuedSession;
}

export interface CredentialStoreOptions {
  /** Unused today (sessions need no rows); taken so a revocation list can be added without a signature change. */
  db: LocalDb;
  /** Holds `root-credentials.json` and the sessions' master key (`sts-master.key`), both mode 0600. */
  dataDir: string;
  accountId: string;
  /** Root credentials to use; otherwise read from, or generated into, the data dir. */
  root?: RootCredentials;
  roles: RoleStore;
}

/**
 * Permanent root credentials plus temporary STS sessions. A session lives
 * entirely in its token (encrypted with a key kept in the data dir), so sessions
 * survive restarts and resolving one costs no database write.
 */
export function createCredentialStore(options: CredentialStoreOptions): CredentialStore {
  const { dataDir, accountId, roles } = options;
  const root = options.root ?? loadRootCredentials(dataDir);
  const keys = loadSessionKeys(dataDir);
  const rootArn = `arn:aws:iam::${accountId}:root`;

  const sessionArn = (roleName: string, sessionName: string) =>
    `arn:aws:sts::${accountId}:assumed-role/${roleName}/${sessionName}`;

  return {
    root,
    resolve(accessKeyId, sessionToken, now = new Date()) {
      if (accessKeyId === root.accessKeyId) {
        // AWS refuses a session token sent with permanent keys rather than ignoring it.
        if (sessionToken) throw new AwsError('InvalidToken');
        return {
          secretAccessKey: root.secretAccessKey,
          principal: { kind: 'root', accessKeyId, arn: rootArn, accountId },
        };
      }
      if (!accessKeyId.startsWith('ASIA')) throw new AwsError('InvalidAccessKeyId');
      if (!sessionToken) throw new AwsError('InvalidToken', 'A session token is required for temporary credentials.');
      const session = decryptToken(keys.token, sessionToken);
      if (!session || session.accessKeyId !== accessKeyId) throw new AwsError('InvalidToken');
      if (now.getTime() >= session.expiration) throw new AwsError('ExpiredToken');
      const role = roles.get(session.roleArn);
      if (!role) throw new AwsError('InvalidToken', 'The role of this session no longer exists.');
      return {
        secretAccessKey: deriveSecret(keys.secret, accessKeyId),
        principal: {
          kind: 'assumed-role',
          accessKeyId,
          arn: sessionArn(role.name, session.sessionName),
          roleArn: role.arn,
          accountId,
          sessionName: session.sessionName,
          rolePolicies: role.policies,
          sessionPolicy: session.sessionPolicy,
          expiration: new Date(session.expiration),
        },
      };
    },
    issue(grant, now = new Date()) {
      const role = roles.get(grant.roleArn);
      if (!role) throw new AwsError('NoSuchEntity', `The role with name ${grant.roleArn} cannot be found.`);
      // Whole seconds, rounded up, so the Expiration we print is the one we enforce.
      const expiration = Math.ceil((now.getTime() + grant.durationSeconds * 1000) / 1000) * 1000;
      const accessKeyId = uniqueId('ASIA', 16);
      const sessionToken = encryptToken(keys.token, {
        accessKeyId,
        roleArn: role.arn,
        sessionName: grant.sessionName,
        sessionPolicy: grant.sessionPolicy,
        expiration,
      });
      return {
        accessKeyId,
        secretAccessKey: deriveSecret(keys.secret, accessKeyId),
        sessionToken,
        expiration: new Date(expiration),
        assumedRoleArn: sessionArn(role.name, grant.sessionName),
        assumedRoleId: `${role.roleId}:${grant.sessionName}`,
      };
    },
  };
}
