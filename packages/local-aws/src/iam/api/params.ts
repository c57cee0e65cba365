import { AwsError } from '../../errors.js';
import { IAM_NAME, IAM_PATH, POLICY_NAME } from '../ids.js';

/** Reading the Query protocol's form parameters as IAM validates them. */

function validation(message: string): AwsError {
  return new AwsError('ValidationError', `1 validation error detected: ${message}`);
}

/** Member names as IAM spells them in messages: `RoleName` → `roleName`. */
const member = (name: string) => name[0].toLowerCase() + name.slice(1);

export function required(params: URLSearchParams, name: string): string {
  const value = params.get(name);
  if (value === null || value === '') throw validation(`Value null at '${member(name)}' failed to satisfy constraint: Member must not be null`);
  return value;
}

export function optional(params: URLSearchParams, name: string): string | undefined {
  return params.get(name) ?? undefined;
}

function pattern(value: string, name: string, regex: RegExp, text: string): string {
  if (!regex.test(value)) throw validation(`Value '${value}' at '${member(name)}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${text}`);
  return value;
}

export function entityName(params: URLSearchParams, name: string): string {
  return pattern(required(params, name), name, IAM_NAME, '[\\w+=,.@-]+');
}

export function policyName(params: URLSearchParams): string {
  return pattern(required(params, 'PolicyName'), 'PolicyName', POLICY_NAME, '[\\w+=,.@-]+');
}

export function path(params: URLSearchParams): string {
  const value = params.get('Path') ?? '/';
  return pattern(value, 'Path', IAM_PATH, '(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)');
}

export function maxSessionDuration(params: URLSearchParams): number {
  const text = params.get('MaxSessionDuration');
  if (text === null) return 3600;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 3600 || value > 43200) {
    throw validation(`Value '${text}' at 'maxSessionDuration' failed to satisfy constraint: Member must have value between 3600 and 43200`);
  }
  return value;
}
