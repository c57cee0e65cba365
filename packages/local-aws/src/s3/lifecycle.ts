import { randomBytes } from 'node:crypto';
import { AwsError } from '../errors.js';
import { asArray, parseXml, s3Document, type XmlNode } from '../xml.js';
import { tagsOf } from './tagging.js';
import type { ObjectRow } from './store.js';

/**
 * A lifecycle rule as PutBucketLifecycleConfiguration stored it: the rule's
 * own elements, validated, so GetBucketLifecycleConfiguration answers with
 * the rule as it was given. Transitions and noncurrent-version actions are
 * kept and echoed; with one storage class and no versioning they never act.
 */
export interface StoredRule extends XmlNode {
  ID: string;
  Status: 'Enabled' | 'Disabled';
  /** The rule-level `Prefix` of the older schema, when given instead of `Filter`. */
  Prefix?: string;
  /** `''` for an empty filter (the whole bucket). */
  Filter?: XmlNode | '';
  Expiration?: XmlNode;
  AbortIncompleteMultipartUpload?: XmlNode;
}

/** Which objects a rule covers. */
export interface RuleScope {
  prefix: string;
  tags: { Key: string; Value: string }[];
  sizeGreaterThan?: number;
  sizeLessThan?: number;
}

const MAX_ID = 255;
const ACTIONS = ['Expiration', 'Transition', 'NoncurrentVersionExpiration', 'NoncurrentVersionTransition', 'AbortIncompleteMultipartUpload'];
const FILTER_KEYS = ['Prefix', 'Tag', 'ObjectSizeGreaterThan', 'ObjectSizeLessThan', 'And'];

const malformed = () => new AwsError('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');

function positiveDays(value: unknown, what: string): number {
  const n = Number(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value.trim()) || n < 1) throw new AwsError('InvalidArgument', `'Days' for ${what} action must be a positive integer`);
  return n;
}

function objectSize(value: unknown, name: string): number {
  if (typeof value !== 'string' || !/^\d+$/.test(value.trim())) throw new AwsError('InvalidArgument', `${name} must be a non-negative integer`, { ArgumentName: name });
  return Number(value);
}

function tagList(value: unknown): { Key: string; Value: string }[] {
  return asArray(value as XmlNode | XmlNode[]).map((tag) => {
    if (typeof tag !== 'object' || typeof tag.Key !== 'string') throw malformed();
    return { Key: tag.Key, Value: typeof tag.Value === 'string' ? tag.Value : '' };
  });
}

/** The scope a stored filter (or legacy prefix) describes. Throws on a filter S3 refuses. */
export function scopeOf(rule: Pick<StoredRule, 'Prefix' | 'Filter'>): RuleScope {
  if (rule.Filter === undefined) return { prefix: rule.Prefix ?? '', tags: [] };
  if (rule.Filter === '') return { prefix: '', tags: [] };
  const filter = rule.Filter;
  const keys = Object.keys(filter);
  // A filter holds one condition; several are combined only inside <And>.
  if (keys.length > 1 || keys.some((k) => !FILTER_KEYS.includes(k))) throw malformed();
  const scope: RuleScope = { prefix: '', tags: [] };
  const read = (node: XmlNode) => {
    if (node.Prefix !== undefined) scope.prefix = typeof node.Prefix === 'string' ? node.Prefix : '';
    if (node.Tag !== undefined) scope.tags.push(...tagList(node.Tag));
    if (node.ObjectSizeGreaterThan !== undefined) scope.sizeGreaterThan = objectSize(node.ObjectSizeGreaterThan, 'ObjectSizeGreaterThan');
    if (node.ObjectSizeLessThan !== undefined) scope.sizeLessThan = objectSize(node.ObjectSizeLessThan, 'ObjectSizeLessThan');
  };
  if (filter.And !== undefined) {
    const and = filter.And;
    if (typeof and !== 'object' || Array.isArray(and) || and === null) throw malformed();
    if (Object.keys(and).some((k) => !['Prefix', 'Tag', 'ObjectSizeGreaterThan', 'ObjectSizeLessThan'].includes(k))) throw malformed();
    read(and);
  } else read(filter);
  const keysSeen = new Set<string>();
  for (const tag of scope.tags) {
    if (keysSeen.has(tag.Key)) throw new AwsError('InvalidRequest', 'Duplicate Tag Keys are not allowed.');
    keysSeen.add(tag.Key);
  }
  if (scope.sizeGreaterThan !== undefined && scope.sizeLessThan !== undefined && scope.sizeGreaterThan >= scope.sizeLessThan) {
    throw new AwsError('InvalidArgument', 'ObjectSizeGreaterThan must be less than ObjectSizeLessThan', { ArgumentName: 'ObjectSizeGreaterThan' });
  }
  return scope;
}

function checkExpiration(expiration: unknown): void {
  if (typeof expiration !== 'object' || expiration === null || Array.isArray(expiration)) throw malformed();
  const e = expiration as XmlNode;
  // One of Days, Date or ExpiredObjectDeleteMarker.
  if (Object.keys(e).length !== 1) throw malformed();
  if (e.Days !== undefined) positiveDays(e.Days, 'Expiration');
  else if (e.Date !== undefined) {
    const date = String(e.Date);
    const time = Date.parse(date);
    if (Number.isNaN(time)) throw malformed();
    if (time % 86_400_000 !== 0) throw new AwsError('InvalidArgument', "'Date' must be at midnight GMT", { ArgumentName: 'Date', ArgumentValue: date });
  } else if (e.ExpiredObjectDeleteMarker !== undefined) {
    if (e.ExpiredObjectDeleteMarker !== 'true' && e.ExpiredObjectDeleteMarker !== 'false') throw malformed();
  } else throw malformed();
}

function parseRule(rule: XmlNode): StoredRule {
  if (rule.Status !== 'Enabled' && rule.Status !== 'Disabled') throw malformed();
  const id = rule.ID === undefined ? randomBytes(36).toString('base64') : String(rule.ID);
  if (id.length > MAX_ID) throw new AwsError('InvalidArgument', `ID length should not exceed allowed limit of ${MAX_ID}`, { ArgumentName: 'ID', ArgumentValue: id });
  // The current schema wants a Filter; the older one a rule-level Prefix. One of them, not both.
  if ((rule.Filter === undefined) === (rule.Prefix === undefined)) throw malformed();
  const stored: StoredRule = { ID: id, Status: rule.Status };
  if (rule.Prefix !== undefined) stored.Prefix = typeof rule.Prefix === 'string' ? rule.Prefix : '';
  else stored.Filter = rule.Filter as XmlNode | '';
  const scope = scopeOf(stored);
  if (!ACTIONS.some((action) => rule[action] !== undefined)) throw new AwsError('InvalidRequest', 'At least one action needs to be specified in a rule');
  if (rule.Expiration !== undefined) {
    checkExpiration(rule.Expiration);
    stored.Expiration = rule.Expiration as XmlNode;
  }
  if (rule.AbortIncompleteMultipartUpload !== undefined) {
    const abort = rule.AbortIncompleteMultipartUpload as XmlNode;
    positiveDays(abort?.DaysAfterInitiation, 'AbortIncompleteMultipartUpload');
    if (scope.tags.length) throw new AwsError('InvalidRequest', 'AbortIncompleteMultipartUpload cannot be specified with Tags.');
    stored.AbortIncompleteMultipartUpload = abort;
  }
  if (rule.NoncurrentVersionExpiration !== undefined) {
    const noncurrent = rule.NoncurrentVersionExpiration as XmlNode;
    if (typeof noncurrent !== 'object' || (noncurrent.NoncurrentDays === undefined && noncurrent.NewerNoncurrentVersions === undefined)) throw malformed();
    stored.NoncurrentVersionExpiration = noncurrent;
  }
  for (const inert of ['Transition', 'NoncurrentVersionTransition']) if (rule[inert] !== undefined) stored[inert] = rule[inert];
  return stored;
}

export function parseLifecycle(text: string): StoredRule[] {
  const root = parseXml(text, 'LifecycleConfiguration');
  const rules = asArray(root.Rule as XmlNode | XmlNode[]);
  if (rules.length === 0 || rules.length > 1000) throw malformed();
  const parsed = rules.map((rule) => {
    if (typeof rule !== 'object') throw malformed();
    return parseRule(rule);
  });
  const ids = new Set<string>();
  for (const rule of parsed) {
    if (ids.has(rule.ID)) throw new AwsError('InvalidArgument', 'Rule ID must be unique. Found same ID for more than one rule', { ArgumentName: 'ID', ArgumentValue: rule.ID });
    ids.add(rule.ID);
  }
  return parsed;
}

/** Rules as stored; rules of an older release of this endpoint (flat days and prefix) read as the same rule. */
export function storedRules(text: string): StoredRule[] {
  return (JSON.parse(text) as (StoredRule | { ID?: string; Status: 'Enabled' | 'Disabled'; Prefix: string; ExpirationDays?: number; AbortIncompleteMultipartUploadDays?: number })[]).map((rule) => {
    if (!('ExpirationDays' in rule) && !('AbortIncompleteMultipartUploadDays' in rule)) return rule as StoredRule;
    const old = rule as { ID?: string; Status: 'Enabled' | 'Disabled'; Prefix: string; ExpirationDays?: number; AbortIncompleteMultipartUploadDays?: number };
    return {
      ID: old.ID ?? '',
      Status: old.Status,
      Filter: { Prefix: old.Prefix },
      Expiration: old.ExpirationDays !== undefined ? { Days: String(old.ExpirationDays) } : undefined,
      AbortIncompleteMultipartUpload: old.AbortIncompleteMultipartUploadDays !== undefined ? { DaysAfterInitiation: String(old.AbortIncompleteMultipartUploadDays) } : undefined,
    };
  });
}

export function renderLifecycle(rules: StoredRule[]): string {
  return s3Document('LifecycleConfiguration', { Rule: rules });
}

const DAY_MS = 86_400_000;

/**
 * When `days` after `start` falls: S3 adds the days and rounds up to the
 * next midnight UTC. With a shortened day (tests) there is no midnight to
 * round to, and the days are added exactly.
 */
export function afterDays(start: number, days: number, dayMs: number): number {
  const end = start + days * dayMs;
  return dayMs === DAY_MS ? Math.ceil(end / DAY_MS) * DAY_MS : end;
}

export function inScope(scope: RuleScope, object: Pick<ObjectRow, 'key' | 'size' | 'headers'>): boolean {
  if (!object.key.startsWith(scope.prefix)) return false;
  if (scope.sizeGreaterThan !== undefined && !(object.size > scope.sizeGreaterThan)) return false;
  if (scope.sizeLessThan !== undefined && !(object.size < scope.sizeLessThan)) return false;
  if (scope.tags.length === 0) return true;
  const tags = tagsOf(object);
  return scope.tags.every((tag) => tags.get(tag.Key) === tag.Value);
}

/** When an enabled rule's Expiration will remove `object`, and which rule: the earliest, as S3 reports it. */
export function expirationOf(rules: StoredRule[], object: Pick<ObjectRow, 'key' | 'size' | 'headers' | 'last_modified'>, dayMs: number): { at: number; ruleId: string } | undefined {
  let earliest: { at: number; ruleId: string } | undefined;
  for (const rule of rules) {
    const expiration = rule.Expiration;
    if (rule.Status !== 'Enabled' || !expiration || !inScope(scopeOf(rule), object)) continue;
    let at: number | undefined;
    if (expiration.Days !== undefined) at = afterDays(Date.parse(object.last_modified), Number(expiration.Days), dayMs);
    else if (expiration.Date !== undefined) at = Date.parse(String(expiration.Date));
    if (at !== undefined && (!earliest || at < earliest.at)) earliest = { at, ruleId: rule.ID };
  }
  return earliest;
}

/** `x-amz-expiration: expiry-date="…", rule-id="…"` for an object a rule will expire. */
export function expirationHeader(bucketLifecycle: string | null, object: Pick<ObjectRow, 'key' | 'size' | 'headers' | 'last_modified'>, dayMs: number): Record<string, string> {
  if (!bucketLifecycle) return {};
  const expiry = expirationOf(storedRules(bucketLifecycle), object, dayMs);
  if (!expiry) return {};
  return { 'x-amz-expiration': `expiry-date="${new Date(expiry.at).toUTCString()}", rule-id="${encodeURIComponent(expiry.ruleId)}"` };
}
