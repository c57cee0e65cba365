import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { AwsError } from '../errors.js';

export const ALGORITHM = 'AWS4-HMAC-SHA256';
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
/** The longest a signed request may sit between signing and arrival, as AWS allows. */
const MAX_SKEW_MS = 15 * 60 * 1000;

/** What the client claims in the Authorization header or the presigned query. */
export interface SignatureClaim {
  location: 'header' | 'query';
  accessKeyId: string;
  /** `yyyymmdd` of the credential scope. */
  date: string;
  region: string;
  service: string;
  /** `date/region/service/aws4_request` */
  scope: string;
  signedHeaders: string[];
  signature: string;
  /** `yyyymmddThhmmssZ` */
  amzDate: string;
  sessionToken?: string;
  /** Presigned URLs only: seconds the URL stays valid. */
  expiresSeconds?: number;
}

/** The parts of the request the canonical request is built from, as they came off the wire. */
export interface SignedRequestParts {
  method: string;
  rawPath: string;
  rawQuery: string;
  /** Node's `rawHeaders`: name, value, name, value, ... */
  rawHeaders: string[];
  payloadHash: string;
}

/** A presigned URL lives at most a week, the validity of the signing key it is made with. */
const MAX_PRESIGNED_SECONDS = 604800;

function queryParametersError(message: string): AwsError {
  return new AwsError('AuthorizationQueryParametersError', message);
}

function malformed(message: string): AwsError {
  return new AwsError('AuthorizationHeaderMalformed', message);
}

/** Reads the SigV4 claim; undefined when the request is not signed at all (anonymous). */
export function parseClaim(headers: Record<string, string>, query: URLSearchParams): SignatureClaim | undefined {
  const authorization = headers['authorization'];
  if (authorization !== undefined) {
    if (!authorization.startsWith(`${ALGORITHM} `)) {
      throw malformed('Unsupported authorization type; only AWS4-HMAC-SHA256 is accepted.');
    }
    const fields = new Map<string, string>();
    for (const part of authorization.slice(ALGORITHM.length + 1).split(',')) {
      const eq = part.indexOf('=');
      if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
    }
    const credential = fields.get('Credential');
    const signedHeaders = fields.get('SignedHeaders');
    const signature = fields.get('Signature');
    if (!credential || !signedHeaders || !signature) {
      throw new AwsError('AuthorizationHeaderMalformed', 'The authorization header is missing Credential, SignedHeaders or Signature.');
    }
    const amzDate = headers['x-amz-date'] ?? toAmzDate(headers['date']);
    return { location: 'header', ...parseCredential(credential), signedHeaders: signedHeaders.split(';'), signature, amzDate, sessionToken: headers['x-amz-security-token'] };
  }
  if (query.get('X-Amz-Algorithm') === null && query.get('X-Amz-Credential') === null) return undefined;
  const credential = query.get('X-Amz-Credential');
  const signedHeaders = query.get('X-Amz-SignedHeaders');
  const signature = query.get('X-Amz-Signature');
  const amzDate = query.get('X-Amz-Date');
  const expiresText = query.get('X-Amz-Expires');
  // S3's own wording for each way a presigned URL's parameters can be wrong.
  if (!query.get('X-Amz-Algorithm') || !credential || !signedHeaders || !signature || !amzDate || !expiresText) {
    throw queryParametersError('Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.');
  }
  if (query.get('X-Amz-Algorithm') !== ALGORITHM) throw queryParametersError(`X-Amz-Algorithm only supports "${ALGORITHM}"`);
  const expires = Number(expiresText);
  if (!/^-?\d+$/.test(expiresText.trim())) throw queryParametersError('X-Amz-Expires should be a number');
  if (expires < 0) throw queryParametersError('X-Amz-Expires must be non-negative');
  if (expires > MAX_PRESIGNED_SECONDS) {
    throw queryParametersError(`X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than ${MAX_PRESIGNED_SECONDS} seconds`);
  }
  return {
    location: 'query',
    ...parseCredential(credential),
    signedHeaders: signedHeaders.split(';'),
    signature,
    amzDate,
    sessionToken: query.get('X-Amz-Security-Token') ?? undefined,
    expiresSeconds: expires,
  };
}

function parseCredential(credential: string) {
  const parts = credential.split('/');
  if (parts.length !== 5 || parts[4] !== 'aws4_request' || !/^\d{8}$/.test(parts[1])) {
    throw malformed(`The authorization header is malformed; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`);
  }
  const [accessKeyId, date, region, service] = parts;
  return { accessKeyId, date, region, service, scope: `${date}/${region}/${service}/aws4_request` };
}

/** Clients without `x-amz-date` sign the HTTP `Date` header instead. */
function toAmzDate(httpDate: string | undefined): string {
  if (!httpDate) throw new AwsError('AccessDenied', 'AWS authentication requires a valid Date or x-amz-date header');
  const time = Date.parse(httpDate);
  if (Number.isNaN(time)) throw new AwsError('AccessDenied', 'AWS authentication requires a valid Date or x-amz-date header');
  return new Date(time).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

export function parseAmzDate(amzDate: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!m) throw new AwsError('AccessDenied', 'AWS authentication requires a valid Date or x-amz-date header');
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
}

/** Rejects stale or future requests and expired presigned URLs before any secret is looked up. */
export function checkTime(claim: SignatureClaim, now: Date): void {
  const signedAt = parseAmzDate(claim.amzDate);
  if (!claim.amzDate.startsWith(claim.date)) {
    throw malformed(`The authorization header is malformed; Invalid credential date. Date is not the same as X-Amz-Date: ${claim.date}.`);
  }
  if (claim.location === 'query') {
    if (signedAt - now.getTime() > MAX_SKEW_MS) throw new AwsError('AccessDenied', 'Request is not valid yet');
    const expiresAt = signedAt + claim.expiresSeconds! * 1000;
    // A URL valid for 0 seconds has expired by the time it arrives.
    if (now.getTime() > expiresAt || claim.expiresSeconds === 0) {
      throw new AwsError('AccessDenied', 'Request has expired', {
        'X-Amz-Expires': String(claim.expiresSeconds),
        Expires: isoSeconds(expiresAt),
        ServerTime: isoSeconds(now.getTime()),
      });
    }
    return;
  }
  if (Math.abs(now.getTime() - signedAt) > MAX_SKEW_MS) throw new AwsError('RequestTimeTooSkewed');
}

const isoSeconds = (time: number) => new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z');

const keyCache = new Map<string, Buffer>();

/** The derived signing key; cached because every chunk and request of a session reuses it. */
export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  const cacheKey = `${secret}\n${date}\n${region}\n${service}`;
  let key = keyCache.get(cacheKey);
  if (!key) {
    const kDate = hmac(`AWS4${secret}`, date);
    key = hmac(hmac(hmac(kDate, region), service), 'aws4_request');
    if (keyCache.size > 1000) keyCache.clear();
    keyCache.set(cacheKey, key);
  }
  return key;
}

export function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** RFC 3986 encoding as SigV4 wants it: everything but unreserved characters. */
export function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

export function canonicalQuery(rawQuery: string, dropSignature: boolean): string {
  if (rawQuery === '') return '';
  const pairs: [string, string][] = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = uriEncode(safeDecode(eq < 0 ? part : part.slice(0, eq)));
    const value = eq < 0 ? '' : uriEncode(safeDecode(part.slice(eq + 1)));
    if (dropSignature && name === 'X-Amz-Signature') continue;
    pairs.push([name, value]);
  }
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([n, v]) => `${n}=${v}`).join('&');
}

function canonicalHeaders(rawHeaders: string[], signed: string[]): string {
  const values = new Map<string, string[]>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toLowerCase();
    const list = values.get(name) ?? [];
    list.push(rawHeaders[i + 1].trim().replace(/\s+/g, ' '));
    values.set(name, list);
  }
  return signed.map((name) => `${name}:${(values.get(name) ?? []).join(',')}\n`).join('');
}

/**
 * The canonical URIs a client may have signed. S3 signs the path exactly as
 * sent; other services encode each segment once more. Clients that leave
 * characters like `(` unencoded on the wire still sign the encoded form, so
 * the normalized form is accepted too.
 */
function canonicalPaths(rawPath: string, service: string): string[] {
  const path = rawPath === '' ? '/' : rawPath;
  const normalized = path.split('/').map((segment) => uriEncode(safeDecode(segment))).join('/');
  if (service !== 's3') return [path.split('/').map((segment) => uriEncode(segment)).join('/')];
  return normalized === path ? [path] : [path, normalized];
}

/**
 * Verifies the request signature; returns the seed signature and signing key
 * for chunk-signature verification. Throws SignatureDoesNotMatch.
 */
export function verifySignature(claim: SignatureClaim, parts: SignedRequestParts, secret: string): Buffer {
  if (!claim.signedHeaders.includes('host')) {
    throw new AwsError('SignatureDoesNotMatch', 'The host header must be signed.');
  }
  const key = signingKey(secret, claim.date, claim.region, claim.service);
  const query = canonicalQuery(parts.rawQuery, claim.location === 'query');
  const headers = canonicalHeaders(parts.rawHeaders, claim.signedHeaders);
  const provided = Buffer.from(claim.signature, 'utf8');
  for (const path of canonicalPaths(parts.rawPath, claim.service)) {
    const canonicalRequest = [parts.method, path, query, headers, claim.signedHeaders.join(';'), parts.payloadHash].join('\n');
    const stringToSign = [ALGORITHM, claim.amzDate, claim.scope, sha256Hex(canonicalRequest)].join('\n');
    const expected = Buffer.from(createHmac('sha256', key).update(stringToSign).digest('hex'), 'utf8');
    if (expected.length === provided.length && timingSafeEqual(expected, provided)) return key;
  }
  throw new AwsError('SignatureDoesNotMatch');
}

/** Constant-time comparison of two hex signatures. */
export function sameSignature(expected: string, provided: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(provided, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
