import { AwsError } from '../../errors.js';
import type { ConditionContext, Principal } from '../../types.js';
import type { KeyRing, KmsKeyInfo } from '../index.js';

/** One KMS request as an operation sees it. */
export interface KmsContext {
  ring: KeyRing;
  accountId: string;
  region: string;
  principal: Exclude<Principal, { kind: 'anonymous' }>;
  /** Condition keys of the request (`aws:SecureTransport`, `kms:CallerAccount` ...). */
  context: ConditionContext;
  /** The key a `KeyId` names (id, ARN, alias, alias ARN); throws NotFoundException. */
  key(reference: string): KmsKeyInfo;
  /** Throws AccessDeniedException unless the key policy (with IAM, when it delegates) allows `action`. */
  authorizeKey(action: string, key: KmsKeyInfo, extra?: ConditionContext): void;
  /** Throws AccessDeniedException unless the caller's identity policies allow `action` on `resource` (no key policy: CreateKey, ListKeys). */
  authorizeIdentity(action: string, resource: string): void;
}

export type Input = Record<string, unknown>;
export type KmsOperation = (ctx: KmsContext, input: Input) => object;

function validation(message: string): AwsError {
  return new AwsError('ValidationException', `1 validation error detected: ${message}`);
}

const member = (name: string) => name[0].toLowerCase() + name.slice(1);

export function requiredString(input: Input, name: string): string {
  const value = input[name];
  if (value === undefined || value === null) throw validation(`Value null at '${member(name)}' failed to satisfy constraint: Member must not be null`);
  if (typeof value !== 'string' || value.length === 0) throw validation(`Value at '${member(name)}' failed to satisfy constraint: Member must have length greater than or equal to 1`);
  return value;
}

export function optionalString(input: Input, name: string): string | undefined {
  return input[name] === undefined || input[name] === null ? undefined : requiredString(input, name);
}

export function optionalBoolean(input: Input, name: string): boolean {
  const value = input[name];
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw new AwsError('SerializationException', `${name} must be a boolean.`);
  return value;
}

export function optionalInteger(input: Input, name: string, min: number, max: number): number | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new AwsError('SerializationException', `${name} must be an integer.`);
  if (value < min || value > max) throw validation(`Value '${value}' at '${member(name)}' failed to satisfy constraint: Member must have value between ${min} and ${max}`);
  return value;
}

/** A blob member: base64 in JSON. */
export function requiredBlob(input: Input, name: string, maxBytes: number): Buffer {
  const text = requiredString(input, name);
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length === 0 || bytes.length > maxBytes) {
    throw validation(`Value at '${member(name)}' failed to satisfy constraint: Member must have length between 1 and ${maxBytes}`);
  }
  return bytes;
}

export function encryptionContext(input: Input): Record<string, string> {
  const value = input.EncryptionContext;
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value) || !Object.values(value).every((v) => typeof v === 'string')) {
    throw new AwsError('SerializationException', 'EncryptionContext must map strings to strings.');
  }
  return value as Record<string, string>;
}

/** `kms:EncryptionContext:<key>` condition keys, as key policies may test them. */
export function contextKeys(context: Record<string, string>): ConditionContext {
  const keys: ConditionContext = { 'kms:EncryptionContextKeys': Object.keys(context) };
  for (const [key, value] of Object.entries(context)) keys[`kms:EncryptionContext:${key}`] = value;
  return keys;
}

/** KMS writes times as epoch seconds. */
export const epochSeconds = (date: Date) => Math.floor(date.getTime() / 1000);
