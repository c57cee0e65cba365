import { jwtVerify, type JWTPayload } from 'jose';
import { LfsError, unauthenticated } from '../errors.js';
import type { Caller } from '../files/model.js';

export interface AuthenticatorOptions {
  /** HS256 secret; its UTF-8 bytes are the key. */
  secret: string;
  issuer: string;
  audience: string;
  /** Allowed clock skew for exp/nbf. @default 5 */
  clockToleranceSeconds?: number;
}

export interface Authenticator {
  /** The caller behind an `Authorization` header value; throws UNAUTHENTICATED for anything else. */
  authenticate(authorization: string | undefined): Promise<Caller>;
}

/** Turns a bearer JWT into a Caller. Every failure looks the same to the client on purpose. */
export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const key = new TextEncoder().encode(options.secret);
  const verifyOptions = {
    // Pinning the algorithm stops "alg: none" and algorithm-confusion tokens.
    algorithms: ['HS256'],
    issuer: options.issuer,
    audience: options.audience,
    clockTolerance: options.clockToleranceSeconds ?? 5,
    requiredClaims: ['sub', 'exp'],
  };
  return {
    async authenticate(authorization) {
      const match = /^Bearer\s+([A-Za-z0-9_\-.=]+)\s*$/i.exec(authorization ?? '');
      if (!match) throw unauthenticated();
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(match[1], key, verifyOptions));
      } catch {
        throw invalidToken();
      }
      return callerOf(payload);
    },
  };
}

/** One message for every bad token, so a client learns nothing about which check failed. */
const invalidToken = () => new LfsError('UNAUTHENTICATED', 'Invalid or expired token');

function callerOf(payload: JWTPayload): Caller {
  const { sub, tenant, roles, admin } = payload;
  if (typeof sub !== 'string' || sub.length === 0) throw invalidToken();
  if (tenant !== undefined && (typeof tenant !== 'string' || tenant.length === 0)) {
    throw invalidToken();
  }
  return {
    subject: sub,
    tenant: (tenant as string | undefined) ?? 'default',
    admin: admin === true || (Array.isArray(roles) && roles.includes('admin')),
  };
}
