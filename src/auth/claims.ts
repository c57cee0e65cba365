import type { JWTPayload } from 'jose';
import type { Caller } from '../files/model.js';

/** Which claims of a verified token name the tenant and the roles; identity providers differ. */
export interface ClaimMapping {
  /** Claim holding the tenant, a dotted path for nested claims. @default 'tenant' */
  tenant: string;
  /** Claim holding the roles (an array, or a space-separated string), dotted path allowed (`realm_access.roles`). @default 'roles' */
  roles: string;
  /** The role that makes a caller an admin of its tenant. @default 'admin' */
  adminRole: string;
}

/** Tokens without a tenant claim belong to this tenant (single-tenant deployments). */
export const DEFAULT_TENANT = 'default';
const MAX_ID_LENGTH = 256;

function claimAt(payload: JWTPayload, path: string): unknown {
  let value: unknown = payload;
  for (const segment of path.split('.')) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, segment)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

function rolesOf(value: unknown): string[] {
  if (typeof value === 'string') return value.split(' ').filter(Boolean);
  if (Array.isArray(value)) return value.filter((role): role is string => typeof role === 'string');
  return [];
}

/**
 * The Caller a verified payload stands for, or undefined when the claims are
 * unusable (no subject, a tenant that is not a non-empty string). Ids are
 * bounded so they can be stored and logged safely.
 */
export function callerOf(payload: JWTPayload, mapping: ClaimMapping): Caller | undefined {
  const { sub } = payload;
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > MAX_ID_LENGTH) return undefined;
  const tenant = claimAt(payload, mapping.tenant);
  if (tenant !== undefined && (typeof tenant !== 'string' || tenant.length === 0 || tenant.length > MAX_ID_LENGTH)) return undefined;
  return {
    subject: sub,
    tenant: (tenant as string | undefined) ?? DEFAULT_TENANT,
    admin: rolesOf(claimAt(payload, mapping.roles)).includes(mapping.adminRole),
  };
}
