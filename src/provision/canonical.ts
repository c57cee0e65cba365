import type { Json } from './values.js';

/**
 * Values as compared and shown: object keys sorted, so two equal
 * configurations read back in another order compare equal.
 */
export function sortKeys(value: Json | undefined): Json | undefined {
  if (Array.isArray(value)) return value.map((item) => sortKeys(item) as Json);
  if (value && typeof value === 'object' && !isIntrinsic(value)) {
    const entries = Object.entries(value)
      .filter(([, inner]) => inner !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([key, inner]) => [key, sortKeys(inner)])) as Json;
  }
  return value;
}

const isIntrinsic = (value: object) => Object.keys(value).length === 1 && /^(Ref|Fn::)/.test(Object.keys(value)[0]);

const asSortedList = (value: unknown): unknown[] => {
  const list = Array.isArray(value) ? value : [value];
  return list.map((item) => (typeof item === 'string' ? item : typeof item === 'object' ? item : String(item))).sort(compareJson);
};

const compareJson = (a: unknown, b: unknown) => {
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  return x < y ? -1 : x > y ? 1 : 0;
};

/**
 * A policy statement as IAM means it: a single value and a list of one are
 * the same, lists are sets, `"*"` and `{"AWS": "*"}` are the same principal.
 */
function canonicalStatement(statement: Record<string, unknown>): Json {
  const out: Record<string, unknown> = { ...statement };
  for (const field of ['Action', 'NotAction', 'Resource', 'NotResource']) if (out[field] !== undefined) out[field] = asSortedList(out[field]);
  for (const field of ['Principal', 'NotPrincipal']) {
    const principal = out[field];
    if (principal === '*' || (principal && typeof principal === 'object' && (principal as Record<string, unknown>).AWS === '*' && Object.keys(principal).length === 1)) {
      out[field] = { AWS: ['*'] };
    } else if (principal && typeof principal === 'object') {
      out[field] = Object.fromEntries(Object.entries(principal).map(([kind, names]) => [kind, asSortedList(names)]));
    }
  }
  if (out.Condition && typeof out.Condition === 'object') {
    out.Condition = Object.fromEntries(
      Object.entries(out.Condition as Record<string, Record<string, unknown>>).map(([operator, block]) => [
        operator,
        Object.fromEntries(Object.entries(block).map(([key, values]) => [key, asSortedList(values)])),
      ]),
    );
  }
  return sortKeys(out as Json) as Json;
}

/** A policy document in the form compared and shown; statements in `Sid` order. */
export function canonicalPolicy(policy: unknown): Json {
  const document = (typeof policy === 'string' ? JSON.parse(policy) : policy) as { Version?: string; Statement?: unknown };
  const statements = (Array.isArray(document.Statement) ? document.Statement : document.Statement ? [document.Statement] : []) as Record<string, unknown>[];
  return {
    Version: document.Version ?? '2008-10-17',
    Statement: statements.map(canonicalStatement).sort((a, b) => compareJson((a as { Sid?: string }).Sid ?? '', (b as { Sid?: string }).Sid ?? '')),
  };
}

/** IAM answers policy documents URL-encoded (GetRole, GetRolePolicy); KMS, S3 and SQS answer plain JSON. */
export function parsePolicyText(text: string): unknown {
  const trimmed = text.trim();
  return JSON.parse(trimmed.startsWith('{') ? trimmed : decodeURIComponent(trimmed));
}

export const sameJson = (a: Json | undefined, b: Json | undefined) => JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
