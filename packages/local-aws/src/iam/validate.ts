import { AwsError } from '../errors.js';
import type { PolicyDocument } from '../types.js';
import { parseOperator } from './conditions.js';

export type PolicyErrorCode = 'MalformedPolicy' | 'MalformedPolicyDocument';

/**
 * `resource` policies (bucket, queue, key) must name a Principal; `identity`
 * policies (role, user and session policies) must not; `trust` policies (who
 * may assume a role) name a Principal and no Resource.
 */
export type PolicyKind = 'resource' | 'identity' | 'trust';

const STATEMENT_KEYS = new Set([
  'Sid',
  'Effect',
  'Principal',
  'NotPrincipal',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
]);
const ACTION = /^(\*|[A-Za-z0-9-]+:[A-Za-z0-9*?]+)$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringOrList(value: unknown): value is string | string[] {
  if (typeof value === 'string') return value.length > 0;
  return Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'string' && item.length > 0);
}

function checkPrincipal(value: unknown): boolean {
  if (value === '*') return true;
  return isObject(value) && Object.keys(value).length > 0 && Object.values(value).every(isStringOrList);
}

function checkCondition(value: unknown, fail: (why: string) => never): void {
  if (!isObject(value)) fail('Condition must be an object');
  for (const [operator, block] of Object.entries(value)) {
    if (!parseOperator(operator)) fail(`Invalid Condition type : ${operator}`);
    if (!isObject(block) || Object.keys(block).length === 0) fail(`Condition ${operator} must map keys to values`);
    for (const item of Object.values(block)) {
      const values = Array.isArray(item) ? item : [item];
      const ok = values.length > 0 && values.every((v) => ['string', 'number', 'boolean'].includes(typeof v));
      if (!ok) fail(`Condition ${operator} has an invalid value`);
    }
  }
}

/** Validates a decoded policy document; throws AwsError(code) naming the first problem. */
export function validatePolicy(document: unknown, code: PolicyErrorCode, kind: PolicyKind): PolicyDocument {
  const fail = (why: string): never => {
    throw new AwsError(code, code === 'MalformedPolicy' ? why : `Syntax errors in policy. ${why}`);
  };
  if (!isObject(document)) fail('Policies must be valid JSON and the first byte must be \'{\'');
  const doc = document as Record<string, unknown>;
  for (const key of Object.keys(doc)) {
    if (!['Version', 'Id', 'Statement'].includes(key)) fail(`Unknown field ${key}`);
  }
  if (doc.Version !== undefined && doc.Version !== '2012-10-17' && doc.Version !== '2008-10-17') {
    fail('The policy must contain a valid version string');
  }
  const list = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement === undefined ? [] : [doc.Statement];
  if (list.length === 0) fail('Missing required field Statement');
  for (const statement of list) {
    if (!isObject(statement)) fail('Statement must be an object');
    for (const key of Object.keys(statement)) if (!STATEMENT_KEYS.has(key)) fail(`Unknown field ${key}`);
    if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') fail('Invalid effect');
    const hasAction = statement.Action !== undefined;
    if (hasAction === (statement.NotAction !== undefined)) fail('Statement must contain exactly one of Action or NotAction');
    const actions = statement.Action ?? statement.NotAction;
    if (!isStringOrList(actions) || ![actions].flat().every((action) => ACTION.test(action))) fail('Policy has invalid action');
    const hasResource = statement.Resource !== undefined;
    if (kind === 'trust') {
      if (hasResource || statement.NotResource !== undefined) fail('Has prohibited field Resource');
    } else {
      if (hasResource === (statement.NotResource !== undefined)) fail('Statement must contain exactly one of Resource or NotResource');
      if (!isStringOrList(statement.Resource ?? statement.NotResource)) fail('Policy has invalid resource');
    }
    const principal = statement.Principal ?? statement.NotPrincipal;
    if (kind === 'identity' && principal !== undefined) fail('Policy document should not specify a principal.');
    if (kind !== 'identity') {
      if (principal === undefined) fail('Missing required field Principal');
      if (statement.Principal !== undefined && statement.NotPrincipal !== undefined) fail('Statement cannot have both Principal and NotPrincipal');
      if (!checkPrincipal(principal)) fail('Invalid principal in policy');
    }
    if (statement.Condition !== undefined) checkCondition(statement.Condition, fail);
  }
  return doc as unknown as PolicyDocument;
}

/**
 * Parses and validates a policy JSON string; throws AwsError('MalformedPolicy')
 * for resource policies (S3 bucket policy) or 'MalformedPolicyDocument' for
 * session and role policies (STS).
 */
export function parsePolicy(json: string, errorCode: PolicyErrorCode): PolicyDocument {
  let document: unknown;
  try {
    document = JSON.parse(json);
  } catch {
    throw new AwsError(errorCode, errorCode === 'MalformedPolicy' ? undefined : 'Syntax errors in policy.');
  }
  return validatePolicy(document, errorCode, errorCode === 'MalformedPolicy' ? 'resource' : 'identity');
}
