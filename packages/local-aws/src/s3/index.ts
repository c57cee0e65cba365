import { join } from 'node:path';
import type { LocalDb } from '../db.js';
import type { CredentialStore } from '../iam/credentials.js';
import { renderS3Error } from '../error-responses.js';
import { AwsError, isAwsError } from '../errors.js';
import type { KeyRing } from '../kms/index.js';
import type { SealingPool } from '../sealing/pool.js';
import type { Sqs } from '../sqs/index.js';
import type { AwsRequest, AwsResponse } from '../types.js';
import { createBlobStore } from './blobs.js';
import type { S3Context, S3Handler, S3Logger, S3Target } from './context.js';
import { corsHeaders, matchCors, type CorsRule } from './cors.js';
import { sweepLifecycle } from './lifecycle-sweep.js';
import { routeS3 } from './routes.js';
import { createS3Store } from './store.js';

/** A client uploads one key at a time, perhaps a second after a reload; 10 leaves room for retries. */
export const DEFAULT_MAX_UPLOADS_PER_KEY = 10;

export interface S3Options {
  db: LocalDb;
  /** Object bodies live under `<dataDir>/s3`. */
  dataDir: string;
  region: string;
  accountId: string;
  kms: KeyRing;
  sqs: Sqs;
  /** Resolves the access keys that sign POST forms. */
  credentials: CredentialStore;
  /** The worker threads that seal, copy and read object bodies. */
  pool: SealingPool;
  logger: S3Logger;
  /** The length of a lifecycle "day" in milliseconds (tests shorten it). @default 86_400_000 */
  lifecycleDayMs?: number;
  /** Open multipart uploads one key may have (AWS has no such limit). @default 10 */
  maxUploadsPerKey?: number;
}

export interface S3 {
  /** Prepares the folders and removes blobs no row references (interrupted writes). */
  init(): Promise<void>;
  /** Renders its own errors (as S3 XML) so CORS headers can be added to them. */
  handle(request: AwsRequest): Promise<AwsResponse>;
  /**
   * Adds the CORS headers the bucket's rules grant the request's origin: to
   * every answer, errors included (a refused presigned URL too), or a
   * browser cannot read why it failed.
   */
  withCors(request: Pick<AwsRequest, 'method' | 'rawPath' | 'headers'>, response: AwsResponse): AwsResponse;
  /** Applies the buckets' lifecycle rules once. */
  sweepLifecycle(now?: number): Promise<{ objects: number; uploads: number }>;
}

export function createS3(options: S3Options): S3 {
  const store = createS3Store(options.db);
  const blobs = createBlobStore(join(options.dataDir, 's3'), options.kms, options.pool);
  // Sequencers must grow across restarts too: start from the clock in microseconds.
  let sequence = BigInt(Date.now()) * 1000n;
  const ctx: S3Context = {
    db: options.db,
    store,
    blobs,
    kms: options.kms,
    sqs: options.sqs,
    region: options.region,
    accountId: options.accountId,
    logger: options.logger,
    credentials: options.credentials,
    lifecycleDayMs: options.lifecycleDayMs ?? 86_400_000,
    maxUploadsPerKey: options.maxUploadsPerKey ?? DEFAULT_MAX_UPLOADS_PER_KEY,
    nextSequencer: () => (sequence++).toString(16).toUpperCase().padStart(16, '0'),
  };

  return {
    async init() {
      await blobs.init();
      const referenced = store.referencedBlobs();
      const orphans = (await blobs.list()).filter((blob) => !referenced.has(blob));
      if (orphans.length) options.logger.warn({ count: orphans.length }, 'removing unreferenced blobs');
      await blobs.remove(orphans);
    },
    async handle(request) {
      let response: AwsResponse;
      try {
        const target = targetOf(request);
        const handler: S3Handler | undefined = routeS3(request, target);
        if (!handler) throw new AwsError('NotImplemented', 'This operation is not implemented by the local endpoint.');
        response = await handler(ctx, request, target);
      } catch (error) {
        if (!isAwsError(error)) throw error;
        response = renderS3Error(error, request.requestId, request.method);
      }
      return this.withCors(request, response);
    },
    withCors(request, response) {
      // Browsers may read a response (and its ETag) only when the bucket's CORS rules say so.
      const origin = request.headers['origin'];
      if (!origin || request.method === 'OPTIONS') return response;
      let bucket: string;
      try {
        bucket = targetOf(request).bucket;
      } catch {
        return response;
      }
      const cors = bucket ? store.getBucket.get(bucket)?.cors : undefined;
      const rule = cors ? matchCors(JSON.parse(cors) as CorsRule[], origin, request.method, []) : undefined;
      return rule ? { ...response, headers: { ...response.headers, ...corsHeaders(rule, origin) } } : response;
    },
    sweepLifecycle(now) {
      return sweepLifecycle(ctx, ctx.lifecycleDayMs, now);
    },
  };
}

/** Virtual-hosted style (`bucket.localhost:port`) or path style (`/bucket/key`). */
function targetOf(request: Pick<AwsRequest, 'rawPath' | 'headers'>): S3Target {
  const host = (request.headers['host'] ?? '').replace(/:\d+$/, '');
  const path = request.rawPath.split('?')[0];
  const decode = (value: string) => {
    try {
      return decodeURIComponent(value);
    } catch {
      throw new AwsError('InvalidArgument', 'The request path is not valid percent-encoding.');
    }
  };
  if (host.endsWith('.localhost')) {
    const bucket = host.slice(0, -'.localhost'.length);
    const key = path.length > 1 ? decode(path.slice(1)) : undefined;
    return { bucket, key };
  }
  const rest = path.slice(1);
  const slash = rest.indexOf('/');
  if (slash < 0) return { bucket: decode(rest) };
  const key = rest.slice(slash + 1);
  return { bucket: decode(rest.slice(0, slash)), key: key === '' ? undefined : decode(key) };
}
