import { createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { LfsError, unauthenticated } from '../errors.js';
import type { Caller } from '../files/model.js';
import { callerOf, type ClaimMapping } from './claims.js';

/** Where verification keys come from; each mode pins its own algorithms. */
export type KeySource =
  /** A shared secret (its UTF-8 bytes are the key); HS256 only. */
  | { kind: 'secret'; secret: string }
  | {
      /** A JWKS document (RS256/ES256 keys), fetched when needed and cached; a token with an unknown `kid` triggers a re-fetch. */
      kind: 'jwks';
      url: string;
      /** @default ['RS256', 'ES256'] */
      algorithms?: string[];
      /** Keys are re-fetched after this long. @default 600000 */
      cacheMaxAgeMs?: number;
      /** An unknown `kid` re-fetches at most this often, so forged kids cannot hammer the JWKS host. @default 30000 */
      cooldownMs?: number;
      /** @default 5000 */
      timeoutMs?: number;
    };

export interface AuthenticatorOptions {
  /** HS256 secret; shorthand for `keys: { kind: 'secret', secret }`. */
  secret?: string;
  keys?: KeySource;
  issuer: string;
  audience: string;
  /** Allowed clock skew for exp/nbf. @default 5 */
  clockToleranceSeconds?: number;
  /** Which claims carry the tenant and the roles. */
  claims?: Partial<ClaimMapping>;
}

/** A verified token: who, and until when the token may be used. */
export interface Identity {
  caller: Caller;
  expiresAt: Date;
}

export interface Authenticator {
  /** The caller behind an `Authorization` header value; throws UNAUTHENTICATED for anything else. */
  authenticate(authorization: string | undefined): Promise<Caller>;
  /** As `authenticate`, with the token's expiry, for connections that outlive one request. */
  verify(authorization: string | undefined): Promise<Identity>;
}

export const DEFAULT_JWKS_ALGORITHMS = ['RS256', 'ES256'];

/**
 * Turns a bearer JWT into a Caller. Every failure looks the same to the client
 * on purpose. The algorithms are pinned per key source: a secret verifies only
 * HS256 and a JWKS only asymmetric algorithms, so `alg: none` and HS/RS
 * confusion (an HS256 token "signed" with the public key) never verify.
 * Building one does no I/O; the JWKS is fetched on first use.
 */
export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const source = options.keys ?? (options.secret !== undefined ? { kind: 'secret' as const, secret: options.secret } : undefined);
  if (!source) throw new Error('createAuthenticator needs a secret or a JWKS URL');
  let key: Uint8Array | JWTVerifyGetKey;
  let algorithms: string[];
  if (source.kind === 'secret') {
    key = new TextEncoder().encode(source.secret);
    algorithms = ['HS256'];
  } else {
    key = createRemoteJWKSet(new URL(source.url), {
      cacheMaxAge: source.cacheMaxAgeMs ?? 600_000,
      cooldownDuration: source.cooldownMs ?? 30_000,
      timeoutDuration: source.timeoutMs ?? 5_000,
    });
    algorithms = source.algorithms ?? DEFAULT_JWKS_ALGORITHMS;
    if (algorithms.some((alg) => !/^(RS|PS|ES)(256|384|512)$|^EdDSA$/.test(alg))) {
      throw new Error(`JWKS mode accepts asymmetric algorithms only, not ${algorithms.join(', ')}`);
    }
  }
  const verifyOptions = {
    algorithms,
    issuer: options.issuer,
    audience: options.audience,
    clockTolerance: options.clockToleranceSeconds ?? 5,
    requiredClaims: ['sub', 'exp'],
  };
  const mapping: ClaimMapping = { tenant: 'tenant', roles: 'roles', adminRole: 'admin', ...options.claims };

  async function verify(authorization: string | undefined): Promise<Identity> {
    const match = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*) *$/i.exec(authorization ?? '');
    if (!match) throw unauthenticated();
    let payload: JWTPayload;
    try {
      // Both overloads share the options; TypeScript cannot pick one for the union.
      ({ payload } = typeof key === 'function' ? await jwtVerify(match[1], key, verifyOptions) : await jwtVerify(match[1], key, verifyOptions));
    } catch {
      throw invalidToken();
    }
    const caller = callerOf(payload, mapping);
    if (!caller) throw invalidToken();
    return { caller, expiresAt: new Date(payload.exp! * 1000) };
  }

  return {
    verify,
    authenticate: async (authorization) => (await verify(authorization)).caller,
  };
}

/** One message for every bad token, so a client learns nothing about which check failed. */
const invalidToken = () => new LfsError('UNAUTHENTICATED', 'Invalid or expired token');
