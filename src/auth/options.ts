import type { Config } from '../config.js';
import type { AuthenticatorOptions } from './authenticator.js';

/** The authenticator the settings describe: the JWKS when LFS_AUTH_JWKS_URL is set, else the HS256 secret. */
export function authenticatorOptions(config: Pick<Config, 'auth'>, secret: string): AuthenticatorOptions {
  const { auth } = config;
  return {
    keys: auth.jwksUrl
      ? { kind: 'jwks', url: auth.jwksUrl, algorithms: auth.algorithms, cacheMaxAgeMs: auth.jwksCacheSeconds * 1000 }
      : { kind: 'secret', secret },
    issuer: auth.issuer,
    audience: auth.audience,
    clockToleranceSeconds: auth.clockToleranceSeconds,
    claims: { tenant: auth.tenantClaim, roles: auth.rolesClaim, adminRole: auth.adminRole },
  };
}
