import { z } from 'zod';
import { int } from './fields.js';

/** How bearer tokens are verified: an HS256 secret, or an identity provider's JWKS. */
export const authSettings = {
  /** HS256 secret; generated into the data folder when absent. */
  LFS_AUTH_SECRET: z.string().min(32).optional(),
  /** @default lfs */
  LFS_AUTH_ISSUER: z.string().min(1).default('lfs'),
  /** @default lfs */
  LFS_AUTH_AUDIENCE: z.string().min(1).default('lfs'),
  /** JWKS URL of the identity provider; when set, tokens are verified with its RS256/ES256 keys instead of a secret. */
  LFS_AUTH_JWKS_URL: z.string().url().optional(),
  /** Algorithms accepted from the JWKS (comma-separated, asymmetric only). @default RS256,ES256 */
  LFS_AUTH_ALGORITHMS: z.string().regex(/^((RS|PS|ES)(256|384|512)|EdDSA)(,((RS|PS|ES)(256|384|512)|EdDSA))*$/).default('RS256,ES256'),
  /** JWKS keys are re-fetched after this long, seconds (unknown kids re-fetch sooner). @default 600 */
  LFS_AUTH_JWKS_CACHE_SECONDS: int(1, 86400).default(600),
  /** Claim naming the tenant (dotted path for nested claims). @default tenant */
  LFS_AUTH_TENANT_CLAIM: z.string().min(1).default('tenant'),
  /** Claim listing the roles (array or space-separated; dotted path allowed). @default roles */
  LFS_AUTH_ROLES_CLAIM: z.string().min(1).default('roles'),
  /** Role that makes a caller admin of its tenant. @default admin */
  LFS_AUTH_ADMIN_ROLE: z.string().min(1).default('admin'),
  /** Clock skew allowed on exp/nbf, seconds. @default 5 */
  LFS_AUTH_CLOCK_TOLERANCE_SECONDS: int(0, 300).default(5),
};
