import { SignJWT } from 'jose';

export interface MintTokenOptions {
  sub: string;
  /** @default 'default' on the verifying side when omitted */
  tenant?: string;
  admin?: boolean;
  issuer: string;
  audience: string;
  /** Seconds, or a jose time span such as '1h' or '30d'. */
  expiresIn: number | string;
}

/** Signs an HS256 token the authenticator accepts; used by `lfs token` and tests. */
export async function mintToken(secret: string, options: MintTokenOptions): Promise<string> {
  const claims: Record<string, unknown> = {};
  if (options.tenant !== undefined) claims.tenant = options.tenant;
  if (options.admin) claims.roles = ['admin'];
  const now = Math.floor(Date.now() / 1000);
  const expiresAt = typeof options.expiresIn === 'number' ? now + options.expiresIn : options.expiresIn;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(options.sub)
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setIssuedAt(now)
    .setExpirationTime(expiresAt)
    .sign(new TextEncoder().encode(secret));
}

/** Who the development token speaks for, and for how long: `npm start` prints one and GraphiQL opens with one. */
export const DEVELOPMENT_TOKEN = { sub: 'dev', hours: 12 } as const;

/** A fresh development token (sub "dev", 12 h) signed with `secret`. */
export function mintDevelopmentToken(secret: string, auth: { issuer: string; audience: string }): Promise<string> {
  return mintToken(secret, { sub: DEVELOPMENT_TOKEN.sub, issuer: auth.issuer, audience: auth.audience, expiresIn: `${DEVELOPMENT_TOKEN.hours}h` });
}
