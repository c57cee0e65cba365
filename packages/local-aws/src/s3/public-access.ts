import { AwsError } from '../errors.js';
import { statements } from '../iam/policy.js';
import type { PolicyDocument, PolicyStatement } from '../types.js';
import { parseXml, s3Document } from '../xml.js';

/** S3 Block Public Access for a bucket: what the four settings mean, and what makes a bucket policy public. */

export interface PublicAccessBlock {
  BlockPublicAcls: boolean;
  IgnorePublicAcls: boolean;
  BlockPublicPolicy: boolean;
  RestrictPublicBuckets: boolean;
}

const SETTINGS = ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'] as const;

/** A missing element is false, as S3 reads the document. */
export function parsePublicAccessBlock(text: string): PublicAccessBlock {
  const root = parseXml(text, 'PublicAccessBlockConfiguration');
  const out = {} as PublicAccessBlock;
  for (const name of SETTINGS) {
    const value = root[name];
    if (value !== undefined && value !== 'true' && value !== 'false') throw new AwsError('MalformedXML');
    out[name] = value === 'true';
  }
  return out;
}

export function renderPublicAccessBlock(block: PublicAccessBlock): string {
  return s3Document('PublicAccessBlockConfiguration', { ...block });
}

/**
 * Condition keys whose fixed value pins a grant to known callers; a grant to
 * everyone limited by one of them is not public (the list S3 documents).
 */
const PINNING_KEYS = new Set([
  'aws:sourcearn',
  'aws:sourceaccount',
  'aws:sourceowner',
  'aws:sourcevpc',
  'aws:sourcevpce',
  'aws:principalarn',
  'aws:principalaccount',
  'aws:principalorgid',
  'aws:userid',
  's3:dataaccesspointarn',
  's3:dataaccesspointaccount',
]);
const PINNING_OPERATORS = /^(stringequals|stringequalsignorecase|stringlike|arnequals|arnlike)(ifexists)?$/;

function grantsEveryone(statement: PolicyStatement): boolean {
  if (statement.NotPrincipal !== undefined) return true;
  const principal = statement.Principal;
  if (principal === '*') return true;
  const aws = principal?.AWS;
  return aws !== undefined && (Array.isArray(aws) ? aws : [aws]).includes('*');
}

function pinned(statement: PolicyStatement): boolean {
  return Object.entries(statement.Condition ?? {}).some(
    ([operator, block]) =>
      PINNING_OPERATORS.test(operator.toLowerCase()) &&
      Object.entries(block).some(([key, value]) => PINNING_KEYS.has(key.toLowerCase()) && [value].flat().every((v) => !/[*?]/.test(String(v)))),
  );
}

/** S3's meaning of a public bucket policy: an Allow to everyone not pinned to fixed callers. */
export function isPublicPolicy(policy: PolicyDocument): boolean {
  return statements(policy).some((statement) => statement.Effect === 'Allow' && grantsEveryone(statement) && !pinned(statement));
}

/** The policy with its public grants dropped: what RestrictPublicBuckets leaves to anonymous and other accounts' callers. */
export function withoutPublicGrants(policy: PolicyDocument): PolicyDocument {
  return { ...policy, Statement: statements(policy).filter((s) => !(s.Effect === 'Allow' && grantsEveryone(s) && !pinned(s))) };
}
