/**
 * IAM wildcard matching: `*` matches any run of characters (including none and
 * including `/` and `:`), `?` matches exactly one character. Patterns repeat a
 * lot (the same session policy is evaluated on every part upload), so compiled
 * expressions are cached; the cache is bounded so hostile policies cannot grow it.
 */
const cache = new Map<string, RegExp>();
const CACHE_LIMIT = 2000;

function compile(pattern: string, ignoreCase: boolean): RegExp {
  const cacheKey = `${ignoreCase ? 'i' : 's'}${pattern}`;
  let regex = cache.get(cacheKey);
  if (!regex) {
    const source = pattern
      .split('')
      .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
      .join('');
    regex = new RegExp(`^${source}$`, ignoreCase ? 'si' : 's');
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(cacheKey, regex);
  }
  return regex;
}

export function globMatch(pattern: string, value: string, ignoreCase = false): boolean {
  if (pattern === '*') return true;
  if (!pattern.includes('*') && !pattern.includes('?')) {
    return ignoreCase ? pattern.toLowerCase() === value.toLowerCase() : pattern === value;
  }
  return compile(pattern, ignoreCase).test(value);
}

/** Actions compare case-insensitively (`S3:putobject` is `s3:PutObject`). */
export function actionMatches(pattern: string, action: string): boolean {
  return globMatch(pattern, action, true);
}

/**
 * Resources compare case-sensitively. ARN wildcards cannot span the `:`
 * separators of the first five ARN fields, so `arn:aws:s3:::b*` never matches
 * an SQS ARN that happens to share a prefix; the resource part is free-form.
 */
export function resourceMatches(pattern: string, resource: string): boolean {
  if (pattern === '*') return true;
  if (!pattern.startsWith('arn:') || !resource.startsWith('arn:')) return globMatch(pattern, resource);
  const patternParts = splitArn(pattern);
  const resourceParts = splitArn(resource);
  return patternParts.every((part, index) => globMatch(part, resourceParts[index]));
}

/** Splits an ARN into its six fields; the last keeps any further colons. */
export function splitArn(arn: string): string[] {
  const parts = arn.split(':');
  const head = parts.slice(0, 5);
  while (head.length < 5) head.push('');
  return [...head, parts.slice(5).join(':')];
}
