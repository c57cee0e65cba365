import { Transform } from 'node:stream';
import { authenticatePostForm } from '../../auth/post-signature.js';
import { AwsError, isAwsError } from '../../errors.js';
import type { AwsRequest, AwsResponse } from '../../types.js';
import { xmlDocument, xmlContentType } from '../../xml.js';
import { objectArn, authorize } from '../authz.js';
import { checksumAlgorithms, checksumHeader } from '../checksums.js';
import { commitWrittenObject } from '../commit.js';
import type { S3Context, S3Handler } from '../context.js';
import { expirationHeader } from '../lifecycle.js';
import { MAX_SINGLE_UPLOAD, planChecksum, quote, requireBucket, requireKey, writeBody } from '../objects.js';
import { checkPostPolicy } from '../post-policy.js';
import { readPostForm } from '../post-form.js';
import { authorizeEncryptionWrite, resolveWriteEncryption, sealingKey, sseHeaders } from '../sse.js';
import { encodeTags, parseTaggingDocument, TAGGING } from '../tagging.js';

/** Form fields that stand for the request headers of a PutObject. */
const HEADER_FIELDS = [
  'content-type',
  'cache-control',
  'content-disposition',
  'content-encoding',
  'expires',
  'content-md5',
  'x-amz-server-side-encryption',
  'x-amz-server-side-encryption-aws-kms-key-id',
  'x-amz-server-side-encryption-context',
  'x-amz-server-side-encryption-customer-algorithm',
  'x-amz-server-side-encryption-customer-key',
  'x-amz-server-side-encryption-customer-key-md5',
  ...checksumAlgorithms.map(checksumHeader),
];

/** The PutObject headers a form's fields amount to. */
function headersOf(fields: Map<string, string>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of fields) if (HEADER_FIELDS.includes(name) || name.startsWith('x-amz-meta-')) headers[name] = value;
  // A form asks for a checksum to be computed the way the SDK's header does for a PutObject.
  const algorithm = fields.get('x-amz-checksum-algorithm');
  if (algorithm !== undefined) headers['x-amz-sdk-checksum-algorithm'] = algorithm;
  const tagging = fields.get('tagging');
  if (tagging !== undefined) headers[TAGGING] = encodeTags(parseTaggingDocument(tagging));
  return headers;
}

/** Counts what passes, so a refusal for size can say how large the file was. */
class Counter extends Transform {
  bytes = 0;
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null, data?: Buffer) => void): void {
    this.bytes += chunk.length;
    callback(null, chunk);
  }
}

function objectUrl(req: AwsRequest, bucket: string, key: string): string {
  return `${req.secure ? 'https' : 'http'}://${req.headers['host'] ?? 'localhost'}/${bucket}/${encodeURIComponent(key).replace(/%2F/g, '/')}`;
}

/** `success_action_redirect` (or the older `redirect`) when it is an absolute http(s) URL; S3 ignores any other value. */
function redirectOf(fields: Map<string, string>): URL | undefined {
  const target = fields.get('success_action_redirect') ?? fields.get('redirect');
  if (!target) return undefined;
  try {
    const url = new URL(target);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/**
 * POST Object: a browser form upload to the bucket URL. The fields before
 * the file (key, policy, signature, metadata) are read first; the policy's
 * signature, expiration and conditions, then IAM (as for a PutObject, with
 * the form's encryption fields as its headers), are checked before a byte
 * of the file is stored; the file then streams into a blob like any body.
 */
export const postObject: S3Handler = async (ctx, req, target) => {
  requireBucket(ctx, target.bucket);
  const form = await readPostForm(req);
  try {
    return await store(ctx, req, target.bucket, form);
  } catch (error) {
    form.file.resume();
    form.abandon();
    throw error;
  }
};

async function store(ctx: S3Context, req: AwsRequest, bucketName: string, form: Awaited<ReturnType<typeof readPostForm>>): Promise<AwsResponse> {
  const { fields } = form;
  const rawKey = fields.get('key');
  if (!rawKey) {
    throw new AwsError('InvalidArgument', "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.", { ArgumentName: 'key', ArgumentValue: '' });
  }
  const key = requireKey(rawKey.replaceAll('${filename}', form.filename));
  fields.set('key', key);
  const signed = authenticatePostForm(fields, ctx.credentials);
  const principal = signed.kind === 'anonymous' ? req.principal : signed;
  const policy = fields.has('policy') ? checkPostPolicy(fields.get('policy')!, fields, form.names, bucketName) : {};
  const headers = headersOf(fields);
  // Read again: the form may have taken a while to arrive.
  const bucket = requireBucket(ctx, bucketName);
  const encryption = resolveWriteEncryption(ctx, headers, bucket);
  const asPut: AwsRequest = { ...req, principal, headers, body: form.file, contentLength: undefined, payloadToVerify: undefined, trailers: () => ({}) };
  authorize(ctx, asPut, 's3:PutObject', objectArn(bucket.name, key), bucket, encryption.context);
  authorizeEncryptionWrite(ctx, asPut, encryption);

  const range = policy.sizeRange;
  const counter = new Counter();
  asPut.body = form.file.pipe(counter);
  const kms = encryption.sse === 'aws:kms';
  let written: Awaited<ReturnType<typeof writeBody>>;
  try {
    written = await writeBody(ctx, asPut, sealingKey(ctx, encryption), !kms, planChecksum(headers), Math.min(range?.max ?? MAX_SINGLE_UPLOAD, MAX_SINGLE_UPLOAD));
  } catch (error) {
    if (!isAwsError(error) || error.code !== 'EntityTooLarge' || !range) throw error;
    throw new AwsError('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', { ProposedSize: String(await sizeOf(counter)), MaxSizeAllowed: String(range.max) });
  }
  if (range && written.written.size < range.min) {
    await ctx.blobs.remove([written.written.blob]);
    throw new AwsError('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size', { ProposedSize: String(written.written.size), MinSizeAllowed: String(range.min) });
  }
  const row = await commitWrittenObject(ctx, { ...asPut, headers: {} }, { bucket: bucket.name, key, headers, encryption, body: written }, 'ObjectCreated:Post');
  return answer(ctx, req, fields, bucket.lifecycle, row, written.checksum);
}

/** Drains what is left of a refused file (within reason) to tell its size; undefined past that. */
async function sizeOf(counter: Counter): Promise<number | string> {
  const cap = counter.bytes + 64 * 1024 * 1024;
  for await (const _ of counter.iterator({ destroyOnReturn: false })) if (counter.bytes > cap) return `more than ${cap}`;
  return counter.bytes;
}

function answer(
  ctx: S3Context,
  req: AwsRequest,
  fields: Map<string, string>,
  lifecycle: string | null,
  row: { bucket: string; key: string; etag: string; sse: string | null; kms_key_arn: string | null; size: number; headers: string; last_modified: string },
  checksum: { algorithm: (typeof checksumAlgorithms)[number]; value: string } | undefined,
): AwsResponse {
  const location = objectUrl(req, row.bucket, row.key);
  const headers: Record<string, string> = { etag: quote(row.etag), location, ...sseHeaders(row), ...expirationHeader(lifecycle, row, ctx.lifecycleDayMs) };
  if (checksum) headers[checksumHeader(checksum.algorithm)] = checksum.value;
  const redirect = redirectOf(fields);
  if (redirect) {
    redirect.searchParams.append('bucket', row.bucket);
    redirect.searchParams.append('key', row.key);
    redirect.searchParams.append('etag', quote(row.etag));
    return { status: 303, headers: { ...headers, location: redirect.toString() } };
  }
  const status = fields.get('success_action_status');
  if (status === '201') {
    const body = xmlDocument('PostResponse', { Location: location, Bucket: row.bucket, Key: row.key, ETag: quote(row.etag) });
    return { status: 201, headers: { ...headers, ...xmlContentType }, body };
  }
  return { status: status === '200' ? 200 : 204, headers };
}
