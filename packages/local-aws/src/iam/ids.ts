import { randomBytes } from 'node:crypto';

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** AWS-style unique ids: a four-letter kind prefix (`AROA`, `AIDA`, `AKIA`, `ASIA`) and base32 characters. */
export function uniqueId(prefix: string, length = 17): string {
  const bytes = randomBytes(length);
  let id = prefix;
  for (const byte of bytes) id += ID_ALPHABET[byte % 32];
  return id;
}

/** IAM names of roles, users and inline policies. */
export const IAM_NAME = /^[\w+=,.@-]{1,64}$/;
export const POLICY_NAME = /^[\w+=,.@-]{1,128}$/;
/** `/` or `/a/b/`, as IAM paths are written. */
export const IAM_PATH = /^\/([\x21-\x7e]{1,510}\/)?$/;

/** Inline policies by name. Rows written before policies had names hold a list: name them in order. */
export function parseInlinePolicies<T>(json: string): Record<string, T> {
  const parsed = JSON.parse(json) as T[] | Record<string, T>;
  if (!Array.isArray(parsed)) return parsed;
  return Object.fromEntries(parsed.map((policy, index) => [`policy-${index + 1}`, policy]));
}
