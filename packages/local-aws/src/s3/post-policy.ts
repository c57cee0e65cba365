import { AwsError } from '../errors.js';

/**
 * The POST policy of a browser form: its expiration and conditions, checked
 * against the form's fields as S3 checks them. Field names match without
 * regard to case; values match exactly. Every field but the signature, the
 * policy, the file and `x-ignore-*` ones must be named by a condition.
 */
export interface PostPolicy {
  /** `content-length-range`: the file's size must fall in it (inclusive). */
  sizeRange?: { min: number; max: number };
}

type Condition = ['eq' | 'starts-with', string, string] | ['content-length-range', number, number];

const NOT_CONDITIONED = new Set(['x-amz-signature', 'policy', 'file']);

function invalid(message: string): AwsError {
  return new AwsError('InvalidPolicyDocument', `Invalid Policy: ${message}`);
}

function deny(message: string): AwsError {
  return new AwsError('AccessDenied', `Invalid according to Policy: ${message}`);
}

/** S3 quotes a failed condition back as a JSON list with ", " between items. */
function quoted(condition: unknown[]): string {
  return `[${condition.map((item) => JSON.stringify(item)).join(', ')}]`;
}

function parse(base64: string): { expiration: unknown; conditions: unknown } {
  let document: unknown;
  try {
    document = JSON.parse(Buffer.from(base64, 'base64').toString('utf8'));
  } catch {
    throw invalid('Invalid JSON.');
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) throw invalid('Invalid JSON.');
  return document as { expiration: unknown; conditions: unknown };
}

/** Checks the policy against the form; the size range is checked once the file's size is known. */
export function checkPostPolicy(base64: string, fields: Map<string, string>, names: Map<string, string>, bucket: string, now = Date.now()): PostPolicy {
  const { expiration, conditions } = parse(base64);
  if (expiration === undefined) throw invalid('Policy missing expiration.');
  const expires = typeof expiration === 'string' ? Date.parse(expiration) : Number.NaN;
  if (Number.isNaN(expires)) throw invalid(`Invalid 'expiration' value: '${String(expiration)}'`);
  if (expires < now) throw deny('Policy expired.');
  if (!Array.isArray(conditions)) throw invalid('Policy missing conditions.');
  const value = (name: string) => (name === 'bucket' ? bucket : (fields.get(name) ?? ''));
  const named = new Set<string>();
  const policy: PostPolicy = {};
  for (const raw of conditions as unknown[]) {
    let condition: Condition;
    if (Array.isArray(raw)) {
      const [op, subject, target] = raw as unknown[];
      if (op === 'content-length-range') {
        const min = Number(subject);
        const max = Number(target);
        if (!Number.isInteger(min) || !Number.isInteger(max) || min < 0 || max < min) throw deny(`Policy Condition failed: ${quoted(raw)}`);
        policy.sizeRange = { min, max };
        continue;
      }
      if ((op !== 'eq' && op !== 'starts-with') || typeof subject !== 'string' || typeof target !== 'string' || raw.length !== 3) {
        throw invalid(`Invalid Condition: ${quoted(raw)}`);
      }
      condition = [op, subject, target];
    } else if (typeof raw === 'object' && raw !== null) {
      const entries = Object.entries(raw);
      if (entries.length !== 1) throw invalid('Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.');
      const [name, target] = entries[0];
      condition = ['eq', `$${name}`, String(target)];
    } else throw invalid(`Invalid Condition: ${JSON.stringify(raw)}`);
    const [op, subject, target] = condition;
    // A field is named `$field`; without the `$` the condition names nothing and fails.
    const name = subject.startsWith('$') ? subject.slice(1).toLowerCase() : undefined;
    const actual = name === undefined ? undefined : value(name);
    const holds = actual !== undefined && (op === 'eq' ? actual === target : actual.startsWith(target));
    if (!holds) throw deny(`Policy Condition failed: ${quoted(Array.isArray(raw) ? raw : condition)}`);
    named.add(name!);
  }
  for (const field of fields.keys()) {
    if (NOT_CONDITIONED.has(field) || field.startsWith('x-ignore-') || named.has(field)) continue;
    throw deny(`Extra input fields: ${names.get(field) ?? field}`);
  }
  return policy;
}
