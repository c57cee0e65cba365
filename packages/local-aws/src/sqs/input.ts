import { AwsError } from '../errors.js';
import type { Input } from './context.js';
import type { MessageAttributes } from './store.js';

/** Readers for request fields, failing the way SQS does. */

export function optionalString(input: Input, name: string): string | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new AwsError('InvalidParameterValue', `Value for parameter ${name} must be a string.`);
  return value;
}

export function requiredString(input: Input, name: string): string {
  const value = optionalString(input, name);
  if (value === undefined) throw new AwsError('MissingParameter', `The request must contain the parameter ${name}.`);
  return value;
}

/** Integers arrive as numbers (JSON) or strings (Query). */
export function optionalInteger(input: Input, name: string, min: number, max: number): number | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  const number = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(number) || number < min || number > max) {
    throw new AwsError('InvalidParameterValue', `Value ${String(value)} for parameter ${name} is invalid. Reason: Must be between ${min} and ${max}.`);
  }
  return number;
}

export function stringList(input: Input, name: string): string[] {
  const value = input[name];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new AwsError('InvalidParameterValue', `Value for parameter ${name} must be a list of strings.`);
  }
  return value;
}

export function stringMap(input: Input, name: string): Record<string, string> {
  const value = input[name];
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new AwsError('InvalidParameterValue', `Value for parameter ${name} must be a map.`);
  const result: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== 'string') throw new AwsError('InvalidParameterValue', `Value for ${name}.${key} must be a string.`);
    result[key] = item;
  }
  return result;
}

export function entries(input: Input): Input[] {
  const value = input.Entries;
  if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) {
    throw new AwsError('EmptyBatchRequest', 'There should be at least one entry in the request.');
  }
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'object' && item !== null)) {
    throw new AwsError('InvalidParameterValue', 'Entries must be a list of objects.');
  }
  if (value.length > 10) throw new AwsError('TooManyEntriesInBatchRequest', `Maximum number of entries per request are 10. You have sent ${value.length}.`);
  const ids = new Set<string>();
  for (const entry of value as Input[]) {
    const id = entry.Id;
    if (typeof id !== 'string' || !/^[\w-]{1,80}$/.test(id)) {
      throw new AwsError('InvalidBatchEntryId', 'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.');
    }
    if (ids.has(id)) throw new AwsError('BatchEntryIdsNotDistinct', `Id ${id} repeated.`);
    ids.add(id);
  }
  return value as Input[];
}

const ATTRIBUTE_NAME = /^[A-Za-z0-9_.-]{1,256}$/;
const DATA_TYPE = /^(String|Number|Binary)(\.[A-Za-z0-9_.-]+)?$/;

/** Characters SQS accepts in bodies and string attributes (the XML 1.0 character set). */
// eslint-disable-next-line no-control-regex
const INVALID_CHARS = /[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

export function checkContents(text: string, what: string): void {
  if (INVALID_CHARS.test(text)) throw new AwsError('InvalidMessageContents', `Invalid characters found in ${what}.`);
}

/** Validates message attributes and returns them with the byte size they count for. */
export function messageAttributes(input: Input, name: string, maxCount = 10): { attributes: MessageAttributes; size: number } {
  const raw = input[name];
  if (raw === undefined || raw === null) return { attributes: {}, size: 0 };
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new AwsError('InvalidParameterValue', `${name} must be a map.`);
  const names = Object.keys(raw);
  if (names.length > maxCount) throw new AwsError('InvalidParameterValue', `Number of message attributes [${names.length}] exceeds the allowed maximum [${maxCount}].`);
  const attributes: MessageAttributes = {};
  let size = 0;
  for (const [attributeName, value] of Object.entries(raw as Record<string, Input>)) {
    const bad = (why: string) => new AwsError('InvalidParameterValue', `Message attribute '${attributeName}' ${why}`);
    if (!ATTRIBUTE_NAME.test(attributeName) || /^(aws\.|amazon\.)/i.test(attributeName) || attributeName.includes('..') || attributeName.startsWith('.') || attributeName.endsWith('.')) {
      throw bad('has an invalid name.');
    }
    const dataType = value?.DataType;
    if (typeof dataType !== 'string' || !DATA_TYPE.test(dataType)) throw bad('must have a DataType of String, Number or Binary.');
    if (dataType.startsWith('Binary')) {
      if (typeof value.BinaryValue !== 'string' || value.BinaryValue === '') throw bad('must contain a non-empty BinaryValue.');
      attributes[attributeName] = { DataType: dataType, BinaryValue: value.BinaryValue };
      size += Buffer.from(value.BinaryValue, 'base64').length;
    } else {
      const stringValue = value.StringValue;
      if (typeof stringValue !== 'string' || stringValue === '') throw bad('must contain a non-empty StringValue.');
      if (dataType.startsWith('Number') && !Number.isFinite(Number(stringValue))) throw bad('must contain a valid number.');
      checkContents(stringValue, `message attribute ${attributeName}`);
      attributes[attributeName] = { DataType: dataType, StringValue: stringValue };
      size += Buffer.byteLength(stringValue);
    }
    size += Buffer.byteLength(attributeName) + Buffer.byteLength(dataType);
  }
  return { attributes, size };
}
