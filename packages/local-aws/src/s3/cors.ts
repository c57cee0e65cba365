import { AwsError } from '../errors.js';
import { asArray, parseXml, s3Document } from '../xml.js';

export interface CorsRule {
  ID?: string;
  AllowedOrigins: string[];
  AllowedMethods: string[];
  AllowedHeaders: string[];
  ExposeHeaders: string[];
  MaxAgeSeconds?: number;
}

const METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'HEAD'];

export function parseCors(text: string): CorsRule[] {
  const root = parseXml(text, 'CORSConfiguration');
  const rules = asArray(root.CORSRule as Record<string, unknown> | Record<string, unknown>[]).map((rule) => {
    const strings = (value: unknown) => asArray(value as string | string[]).map(String);
    const parsed: CorsRule = {
      ID: typeof rule.ID === 'string' ? rule.ID : undefined,
      AllowedOrigins: strings(rule.AllowedOrigin),
      AllowedMethods: strings(rule.AllowedMethod),
      AllowedHeaders: strings(rule.AllowedHeader),
      ExposeHeaders: strings(rule.ExposeHeader),
      MaxAgeSeconds: rule.MaxAgeSeconds !== undefined ? Number(rule.MaxAgeSeconds) : undefined,
    };
    if (parsed.AllowedOrigins.length === 0 || parsed.AllowedMethods.length === 0) throw new AwsError('MalformedXML');
    for (const method of parsed.AllowedMethods) {
      if (!METHODS.includes(method)) throw new AwsError('InvalidRequest', `Found unsupported HTTP method in CORS config. Unsupported method is ${method}`);
    }
    return parsed;
  });
  if (rules.length === 0 || rules.length > 100) throw new AwsError('MalformedXML');
  return rules;
}

export function renderCors(rules: CorsRule[]): string {
  return s3Document('CORSConfiguration', {
    CORSRule: rules.map((r) => ({
      ID: r.ID,
      AllowedHeader: r.AllowedHeaders,
      AllowedMethod: r.AllowedMethods,
      AllowedOrigin: r.AllowedOrigins,
      ExposeHeader: r.ExposeHeaders,
      MaxAgeSeconds: r.MaxAgeSeconds,
    })),
  });
}

/** CORS patterns allow one `*` wildcard. */
function wildcard(pattern: string, value: string, caseInsensitive = false): boolean {
  const p = caseInsensitive ? pattern.toLowerCase() : pattern;
  const v = caseInsensitive ? value.toLowerCase() : value;
  const star = p.indexOf('*');
  if (star < 0) return p === v;
  return v.length >= p.length - 1 && v.startsWith(p.slice(0, star)) && v.endsWith(p.slice(star + 1));
}

/** The first rule allowing this origin, method and (preflight) request headers, as S3 picks it. */
export function matchCors(rules: CorsRule[], origin: string, method: string, requestHeaders: string[]): CorsRule | undefined {
  return rules.find(
    (rule) =>
      rule.AllowedOrigins.some((o) => wildcard(o, origin)) &&
      rule.AllowedMethods.includes(method) &&
      requestHeaders.every((h) => rule.AllowedHeaders.some((a) => wildcard(a, h, true))),
  );
}

/** Response headers for a request (or preflight) the rule allows. */
export function corsHeaders(rule: CorsRule, origin: string, preflight?: { method: string; headers: string[] }): Record<string, string> {
  const anyOrigin = rule.AllowedOrigins.includes('*');
  const headers: Record<string, string> = {
    'access-control-allow-origin': anyOrigin ? '*' : origin,
    vary: 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method',
  };
  if (!anyOrigin) headers['access-control-allow-credentials'] = 'true';
  if (rule.ExposeHeaders.length) headers['access-control-expose-headers'] = rule.ExposeHeaders.join(', ');
  if (preflight) {
    headers['access-control-allow-methods'] = rule.AllowedMethods.join(', ');
    if (preflight.headers.length) headers['access-control-allow-headers'] = preflight.headers.join(', ');
    if (rule.MaxAgeSeconds !== undefined) headers['access-control-max-age'] = String(rule.MaxAgeSeconds);
  }
  return headers;
}
