import { isLfsError } from './errors.js';

/** Upload credentials as GraphQL sends them (`expiration` an ISO string). */
export interface WireCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: string;
}

/** As the AWS SDK takes them: `expiration` must be a Date, or the SDK fails on `expiration.getTime`. */
export interface SdkCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

export const toSdkCredentials = (credentials: WireCredentials): SdkCredentials => ({
  accessKeyId: credentials.accessKeyId,
  secretAccessKey: credentials.secretAccessKey,
  sessionToken: credentials.sessionToken,
  expiration: new Date(credentials.expiration),
});

/** Where a set of credentials came from. */
export type CredentialsSource = 'ticket' | 'refresh' | 'push';

export interface CredentialHolderOptions {
  initial: WireCredentials;
  /** refreshUploadCredentials. */
  refresh(): Promise<WireCredentials>;
  now?: () => number;
  onRenewed?(source: CredentialsSource, credentials: SdkCredentials): void;
}

export interface CredentialHolder {
  /** For the SDK's `credentials`: the current ones, refreshed first when they are about to expire. */
  provide(): Promise<SdkCredentials>;
  /** Pushed by the `uploadCredentials` subscription; kept when they last longer than the current ones. */
  accept(credentials: WireCredentials): void;
  /** After an ExpiredToken answer: fresh ones now, whatever the clock says. False when LFS gives none. */
  renewNow(): Promise<boolean>;
  /** In the last quarter of their lifetime: a request failing without an answer may have met ExpiredToken. */
  nearExpiry(): boolean;
  readonly current: SdkCredentials;
}

/** Refreshed this long before expiry at most, and at least an eighth of their lifetime before. */
const MAX_MARGIN_MS = 120_000;
/** A failed refresh is not tried again sooner than this, while the current credentials still work. */
const RETRY_MS = 2_000;

/**
 * Holds an upload's credentials. Pushed credentials normally arrive before
 * these would be refreshed (LFS pushes up to 5 minutes before expiry); a pull
 * close to expiry is the fallback. When LFS refuses a refresh with CONFLICT
 * (the ticket's deadline leaves no room for another session) the current
 * credentials are used to the end, and LFS is not asked again.
 */
export function createCredentialHolder(options: CredentialHolderOptions): CredentialHolder {
  const now = options.now ?? Date.now;
  let current = toSdkCredentials(options.initial);
  let receivedAt = now();
  let lastOnes = false;
  let failedAt = -Infinity;
  let refreshing: Promise<boolean> | undefined;

  const replace = (credentials: WireCredentials, source: CredentialsSource) => {
    current = toSdkCredentials(credentials);
    receivedAt = now();
    options.onRenewed?.(source, current);
  };

  function refresh(): Promise<boolean> {
    refreshing ??= options
      .refresh()
      .then((credentials) => {
        replace(credentials, 'refresh');
        return true;
      })
      .catch((error: unknown) => {
        failedAt = now();
        if (isLfsError(error, 'CONFLICT')) lastOnes = true;
        else if (current.expiration.getTime() <= now()) throw error;
        return false;
      })
      .finally(() => (refreshing = undefined));
    return refreshing;
  }

  return {
    get current() {
      return current;
    },
    async provide() {
      const expiresAt = current.expiration.getTime();
      const margin = Math.min(MAX_MARGIN_MS, (expiresAt - receivedAt) / 8);
      if (!lastOnes && now() >= expiresAt - margin && now() - failedAt >= RETRY_MS) await refresh();
      return current;
    },
    accept(credentials) {
      if (Date.parse(credentials.expiration) > current.expiration.getTime()) replace(credentials, 'push');
    },
    async renewNow() {
      if (lastOnes) return false;
      return refresh();
    },
    nearExpiry() {
      const expiresAt = current.expiration.getTime();
      return now() >= expiresAt - (expiresAt - receivedAt) / 4;
    },
  };
}
