import type { LocalDb } from '../db.js';
import { AwsError } from '../errors.js';
import type { PolicyDocument, Principal, RootCredentials } from '../types.js';
import { loadRootCredentials, loadSessionKeys } from './key-files.js';
import { uniqueId } from './ids.js';
import type { RoleStore } from './roles.js';
import { createUserStore, type UserStore } from './users.js';
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
  /** The main account's root credentials. */
  readonly root: RootCredentials;
  /** Every account's root credentials, the main account first. */
  readonly accounts: ReadonlyMap<string, RootCredentials>;
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
  /** More accounts, each with root credentials read from, or generated into, `root-credentials-<account>.json`. */
  extraAccounts?: string[];
  roles: RoleStore;
  /** @default a user store on `db` */
  users?: UserStore;
}

/**
 * Permanent root credentials plus temporary STS sessions. A session lives
 * entirely in its token (encrypted with a key kept in the data dir), so sessions
 * survive restarts and resolving one costs no database write.
 */
export function createCredentialStore(options: CredentialStoreOptions): CredentialStore {
  const { dataDir, accountId, roles } = options;
  const users = options.users ?? createUserStore(options.db);
  const root = options.root ?? loadRootCredentials(dataDir);
  const accounts = new Map<string, RootCredentials>([[accountId, root]]);
  for (const extra of options.extraAccounts ?? []) {
    if (!accounts.has(extra)) accounts.set(extra, loadRootCredentials(dataDir, `root-credentials-${extra}.json`));
  }
  const rootsByKey = new Map([...accounts].map(([account, credentials]) => [credentials.accessKeyId, { account, credentials }]));
  if (rootsByKey.size !== accounts.size) throw new Error('two accounts have the same root access key id');
  const keys = loadSessionKeys(dataDir);

  const sessionArn = (role: { accountId: string; name: string }, sessionName: string) =>
    `arn:aws:sts::${role.accountId}:assumed-role/${role.name}/${sessionName}`;

  return {
    root,
    accounts,
    resolve(accessKeyId, sessionToken, now = new Date()) {
      const rootOf = rootsByKey.get(accessKeyId);
      const user = rootOf ? undefined : users.byAccessKey(accessKeyId);
      // AWS refuses a session token sent with permanent keys rather than ignoring it.
      if ((rootOf || user) && sessionToken) throw new AwsError('InvalidToken');
      if (rootOf) {
        return {
          secretAccessKey: rootOf.credentials.secretAccessKey,
          principal: { kind: 'root', accessKeyId, arn: `arn:aws:iam::${rootOf.account}:root`, accountId: rootOf.account },
        };
      }
      if (user) {
        return {
          secretAccessKey: user.secretAccessKey,
          principal: {
            kind: 'user',
            accessKeyId,
            arn: user.user.arn,
            accountId: user.user.accountId,
            userName: user.user.name,
            userId: user.user.userId,
            policies: Object.values(user.user.inlinePolicies),
          },
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
          arn: sessionArn(role, session.sessionName),
          roleArn: role.arn,
          accountId: role.accountId,
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
        assumedRoleArn: sessionArn(role, grant.sessionName),
        assumedRoleId: `${role.roleId}:${grant.sessionName}`,
      };
    },
  };
}
