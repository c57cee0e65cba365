import { BlockList, isIPv4, isIPv6 } from 'node:net';
import type { ConditionContext } from '../types.js';
import { globMatch, resourceMatches } from './glob.js';

/** A condition value as written in a policy: one value or a list. */
export type ConditionValue = string | string[] | boolean | number;

/** Compares one request value with one policy value. */
type Comparator = (requestValue: string, policyValue: string) => boolean;

interface Operator {
  compare: Comparator;
  /** Negated operators (`StringNotEquals` ...) hold when no policy value matches. */
  negated: boolean;
}

function parseNumber(value: string): number | undefined {
  if (value.trim() === '') return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : undefined;
}

/** Dates are ISO 8601 strings or epoch seconds, as in `aws:EpochTime`. */
function parseDate(value: string): number | undefined {
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? undefined : parsed;
}

function numeric(test: (a: number, b: number) => boolean): Comparator {
  return (requestValue, policyValue) => {
    const a = parseNumber(requestValue);
    const b = parseNumber(policyValue);
    return a !== undefined && b !== undefined && test(a, b);
  };
}

function date(test: (a: number, b: number) => boolean): Comparator {
  return (requestValue, policyValue) => {
    const a = parseDate(requestValue);
    const b = parseDate(policyValue);
    return a !== undefined && b !== undefined && test(a, b);
  };
}

function ipMatches(requestValue: string, policyValue: string): boolean {
  const [address, prefixText] = policyValue.split('/');
  const family = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : undefined;
  const requestFamily = isIPv4(requestValue) ? 'ipv4' : isIPv6(requestValue) ? 'ipv6' : undefined;
  if (!family || !requestFamily) return false;
  const prefix = prefixText === undefined ? (family === 'ipv4' ? 32 : 128) : Number(prefixText);
  if (!Number.isInteger(prefix)) return false;
  const list = new BlockList();
  list.addSubnet(address, prefix, family);
  return list.check(requestValue, requestFamily);
}

const stringEquals: Comparator = (a, b) => a === b;
const stringEqualsIgnoreCase: Comparator = (a, b) => a.toLowerCase() === b.toLowerCase();
const stringLike: Comparator = (a, b) => globMatch(b, a);
const bool: Comparator = (a, b) => a.toLowerCase() === b.toLowerCase();
const binaryEquals: Comparator = (a, b) => Buffer.from(a, 'base64').equals(Buffer.from(b, 'base64'));

/** Every operator AWS documents for the condition block, minus `Null` (handled apart). */
const operators: Record<string, Operator> = {
  stringequals: { compare: stringEquals, negated: false },
  stringnotequals: { compare: stringEquals, negated: true },
  stringequalsignorecase: { compare: stringEqualsIgnoreCase, negated: false },
  stringnotequalsignorecase: { compare: stringEqualsIgnoreCase, negated: true },
  stringlike: { compare: stringLike, negated: false },
  stringnotlike: { compare: stringLike, negated: true },
  numericequals: { compare: numeric((a, b) => a === b), negated: false },
  numericnotequals: { compare: numeric((a, b) => a === b), negated: true },
  numericlessthan: { compare: numeric((a, b) => a < b), negated: false },
  numericlessthanequals: { compare: numeric((a, b) => a <= b), negated: false },
  numericgreaterthan: { compare: numeric((a, b) => a > b), negated: false },
  numericgreaterthanequals: { compare: numeric((a, b) => a >= b), negated: false },
  dateequals: { compare: date((a, b) => a === b), negated: false },
  datenotequals: { compare: date((a, b) => a === b), negated: true },
  datelessthan: { compare: date((a, b) => a < b), negated: false },
  datelessthanequals: { compare: date((a, b) => a <= b), negated: false },
  dategreaterthan: { compare: date((a, b) => a > b), negated: false },
  dategreaterthanequals: { compare: date((a, b) => a >= b), negated: false },
  bool: { compare: bool, negated: false },
  binaryequals: { compare: binaryEquals, negated: false },
  ipaddress: { compare: ipMatches, negated: false },
  notipaddress: { compare: ipMatches, negated: true },
  arnequals: { compare: stringEquals, negated: false },
  arnnotequals: { compare: stringEquals, negated: true },
  arnlike: { compare: (a, b) => resourceMatches(b, a), negated: false },
  arnnotlike: { compare: (a, b) => resourceMatches(b, a), negated: true },
};

interface ParsedOperator {
  name: string;
  set?: 'any' | 'all';
  ifExists: boolean;
}

/** Splits `ForAnyValue:StringLikeIfExists` into its parts; undefined when unknown. */
export function parseOperator(text: string): ParsedOperator | undefined {
  let rest = text.toLowerCase();
  let set: ParsedOperator['set'];
  if (rest.startsWith('foranyvalue:')) {
    set = 'any';
    rest = rest.slice('foranyvalue:'.length);
  } else if (rest.startsWith('forallvalues:')) {
    set = 'all';
    rest = rest.slice('forallvalues:'.length);
  }
  if (rest === 'null') return { name: rest, set, ifExists: false };
  const ifExists = rest.endsWith('ifexists');
  if (ifExists) rest = rest.slice(0, -'ifexists'.length);
  return operators[rest] ? { name: rest, set, ifExists } : undefined;
}

function toStrings(value: ConditionValue): string[] {
  return (Array.isArray(value) ? value : [value]).map(String);
}

/**
 * One operator block: every key must hold (AND), and a key holds when its
 * request value matches any of the policy values (OR).
 */
export function operatorHolds(
  operatorText: string,
  block: Record<string, ConditionValue>,
  context: ConditionContext,
): boolean {
  const parsed = parseOperator(operatorText);
  if (!parsed) return false;
  return Object.entries(block).every(([key, policyValue]) =>
    keyHolds(parsed, toStrings(policyValue), context[key.toLowerCase()]),
  );
}

function keyHolds(parsed: ParsedOperator, policyValues: string[], raw: string | string[] | undefined): boolean {
  const requestValues = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  const present = requestValues.length > 0;
  if (parsed.name === 'null') {
    // "true" asks for the key to be absent, "false" for it to be present.
    return policyValues.some((value) => (value.toLowerCase() === 'true') !== present);
  }
  const operator = operators[parsed.name];
  const matchesAny = (requestValue: string) => policyValues.some((p) => operator.compare(requestValue, p));
  const satisfied = (requestValue: string) => (operator.negated ? !matchesAny(requestValue) : matchesAny(requestValue));

  if (parsed.set === 'all') {
    // Vacuously true on an empty set, as AWS documents (hence the usual Null guard).
    return requestValues.every(satisfied);
  }
  if (!present) {
    if (parsed.ifExists) return true;
    // A missing key matches nothing, so a negated operator holds.
    return parsed.set === 'any' ? false : operator.negated;
  }
  if (parsed.set === 'any') return requestValues.some(satisfied);
  return operator.negated ? requestValues.every(satisfied) : requestValues.some(satisfied);
}
