// STUB — to be implemented (IAM/STS/SQS helper). Signatures are the contract.
import type { PolicyDocument, Principal } from '../types.js';

export interface RootCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

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
