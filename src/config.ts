import { resolve } from 'node:path';
import { z } from 'zod';
import { failpointNames, type FailpointName } from './failpoints.js';

const GiB = 1024 ** 3;
const TiB = 1024 * GiB;
const MiB = 1024 ** 2;

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

/**
 * Every setting, with its environment variable (`LFS_` + upper snake case)
 * and default. Parsed once at start; every problem is reported at once.
 */
const schema = z.object({
  /** HTTP port of the GraphQL server. @default 4000 */
  LFS_PORT: int(0, 65535).default(4000),
  /** @default 127.0.0.1 */
  LFS_HOST: z.string().min(1).default('127.0.0.1'),
  /** Where SQLite, the secret and the embedded endpoint's data live. @default ./.lfs */
  LFS_DATA_DIR: z.string().min(1).default('./.lfs'),
  /** Public URL of LFS, used in the upload page; defaults to http://host:port. */
  LFS_PUBLIC_URL: z.string().url().optional(),

  /** Run the embedded AWS-compatible endpoint in process. @default true unless LFS_AWS_ENDPOINT is set */
  LFS_LOCAL_AWS: bool.optional(),
  /** @default 4566 */
  LFS_LOCAL_AWS_PORT: int(0, 65535).default(4566),
  /** The embedded endpoint sits behind a TLS proxy: count its connections as secure (aws:SecureTransport). @default false */
  LFS_LOCAL_AWS_SECURE_TRANSPORT: bool.default(false),
  /** Shortest STS session the embedded endpoint grants (AWS: 900); tests lower it. @default 900 */
  LFS_LOCAL_AWS_MIN_SESSION_SECONDS: int(1, 900).default(900),
  /**
   * Open multipart uploads one key of the embedded endpoint may have; the next
   * CreateMultipartUpload is refused (InvalidRequest, 400). AWS has no such
   * limit; LFS_MAX_UPLOADS_PER_FILE is what LFS enforces on any engine. @default 10
   */
  LFS_LOCAL_AWS_MAX_UPLOADS_PER_KEY: int(1, 1_000_000).default(10),
  /** The S3/STS/SQS endpoint URL; set it to use an external endpoint, leave empty for AWS. */
  LFS_AWS_ENDPOINT: z.string().url().optional(),
  /** The endpoint URL handed to browsers (when it differs from LFS's own view). */
  LFS_AWS_PUBLIC_ENDPOINT: z.string().url().optional(),
  /** @default us-east-1 */
  LFS_AWS_REGION: z.string().min(1).default('us-east-1'),
  LFS_AWS_ACCESS_KEY_ID: z.string().min(1).optional(),
  LFS_AWS_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  /** @default 000000000000 */
  LFS_AWS_ACCOUNT_ID: z.string().regex(/^\d{12}$/).default('000000000000'),

  /** @default lfs-dock */
  LFS_DOCK_BUCKET: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/).default('lfs-dock'),
  /** @default lfs-vault */
  LFS_VAULT_BUCKET: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/).default('lfs-vault'),
  /** KMS key the dock requires. @default alias/lfs-dock */
  LFS_DOCK_KMS_KEY_ID: z.string().min(1).default('alias/lfs-dock'),
  /** KMS key the vault copy is encrypted with. @default alias/lfs-vault */
  LFS_VAULT_KMS_KEY_ID: z.string().min(1).default('alias/lfs-vault'),
  /** @default lfs-dock-events */
  LFS_DOCK_EVENTS_QUEUE: z.string().regex(/^[A-Za-z0-9_-]{1,80}$/).default('lfs-dock-events'),
  /** @default lfs-file-events */
  LFS_FILE_EVENTS_QUEUE: z.string().regex(/^[A-Za-z0-9_-]{1,80}$/).default('lfs-file-events'),
  /** Role assumed for upload credentials; defaults to arn:aws:iam::<account>:role/lfs-upload. */
  LFS_UPLOAD_ROLE_ARN: z.string().startsWith('arn:').optional(),
  /** Lifetime of upload credentials in seconds: 900..43200 on AWS, down to LFS_LOCAL_AWS_MIN_SESSION_SECONDS on the embedded endpoint. @default 3600 */
  LFS_CREDENTIALS_TTL_SECONDS: int(1, 43200).default(3600),
  /** How long a ticket may stay unused before it is EXPIRED; its credentials end by then (at least 900, as STS's shortest session). @default 86400 */
  LFS_UPLOAD_DEADLINE_SECONDS: int(1, 30 * 86400).default(86400),
  /** Largest declared size accepted. @default 5 TiB */
  LFS_MAX_FILE_SIZE: int(1, 5 * TiB).default(5 * TiB),
  /** Smallest part size recommended to clients. @default 8 MiB */
  LFS_MIN_PART_SIZE: int(5 * MiB, 5 * GiB).default(8 * MiB),

  /** HS256 secret; generated into the data folder when absent. */
  LFS_AUTH_SECRET: z.string().min(32).optional(),
  /** @default lfs */
  LFS_AUTH_ISSUER: z.string().min(1).default('lfs'),
  /** @default lfs */
  LFS_AUTH_AUDIENCE: z.string().min(1).default('lfs'),

  /** JWKS URL of the identity provider; when set, tokens are verified with its RS256/ES256 keys instead of a secret. */
  LFS_AUTH_JWKS_URL: z.string().url().optional(),
  /** Algorithms accepted from the JWKS (comma-separated, asymmetric only). @default RS256,ES256 */
  LFS_AUTH_ALGORITHMS: z.string().regex(/^((RS|PS|ES)(256|384|512)|EdDSA)(,((RS|PS|ES)(256|384|512)|EdDSA))*$/).default('RS256,ES256'),
  /** JWKS keys are re-fetched after this long, seconds (unknown kids re-fetch sooner). @default 600 */
  LFS_AUTH_JWKS_CACHE_SECONDS: int(1, 86400).default(600),
  /** Claim naming the tenant (dotted path for nested claims). @default tenant */
  LFS_AUTH_TENANT_CLAIM: z.string().min(1).default('tenant'),
  /** Claim listing the roles (array or space-separated; dotted path allowed). @default roles */
  LFS_AUTH_ROLES_CLAIM: z.string().min(1).default('roles'),
  /** Role that makes a caller admin of its tenant. @default admin */
  LFS_AUTH_ADMIN_ROLE: z.string().min(1).default('admin'),
  /** Clock skew allowed on exp/nbf, seconds. @default 5 */
  LFS_AUTH_CLOCK_TOLERANCE_SECONDS: int(0, 300).default(5),

  /** Largest GraphQL request body, bytes (413 beyond). @default 256 KiB */
  LFS_MAX_BODY_BYTES: int(1024, 16 * MiB).default(256 * 1024),
  /** Operations per batched HTTP request; 0 turns batching off. @default 10 */
  LFS_GRAPHQL_BATCH_LIMIT: int(0, 100).default(10),
  /** Deepest selection accepted. @default 8 */
  LFS_GRAPHQL_MAX_DEPTH: int(1, 100).default(8),
  /** graphql-armor cost of one operation (lists count `first` times; a full 100-file page costs ~7,300). @default 10000 */
  LFS_GRAPHQL_MAX_COST: int(1, 1_000_000).default(10_000),
  /** Aliases per operation. @default 15 */
  LFS_GRAPHQL_MAX_ALIASES: int(0, 1000).default(15),
  /** Directives per operation. @default 10 */
  LFS_GRAPHQL_MAX_DIRECTIVES: int(0, 1000).default(10),
  /** Lexer tokens per document. @default 1000 */
  LFS_GRAPHQL_MAX_TOKENS: int(10, 100_000).default(1000),
  /** requestUpload calls per owner per minute (token bucket, per process). @default 60 */
  LFS_RATE_UPLOADS_PER_MINUTE: int(1, 1_000_000).default(60),
  /** requestUpload calls an owner may make at once before the rate applies. @default 20 */
  LFS_RATE_UPLOADS_BURST: int(1, 1_000_000).default(20),
  /** refreshUploadCredentials calls per owner per minute (token bucket, per process). @default 60 */
  LFS_RATE_REFRESH_PER_MINUTE: int(1, 1_000_000).default(60),
  /** @default 20 */
  LFS_RATE_REFRESH_BURST: int(1, 1_000_000).default(20),
  /** AWAITING_UPLOAD files one owner may have at once. @default 100 */
  LFS_QUOTA_OPEN_UPLOADS: int(1, 1_000_000).default(100),
  /** Sum of the declared sizes of one owner's AWAITING_UPLOAD files, bytes. @default 20 TiB */
  LFS_QUOTA_BYTES_IN_FLIGHT: int(1, Number.MAX_SAFE_INTEGER).default(20 * TiB),
  /** A request whose headers take longer is dropped (slow-loris), seconds. @default 15 */
  LFS_HTTP_HEADERS_TIMEOUT_SECONDS: int(1, 600).default(15),
  /** A request whose body takes longer is dropped, seconds (0: no limit). @default 300 */
  LFS_HTTP_REQUEST_TIMEOUT_SECONDS: int(0, 86400).default(300),
  /** A graphql-ws socket that sends no connection_init within this is closed (4408), seconds. @default 3 */
  LFS_WS_INIT_TIMEOUT_SECONDS: int(1, 600).default(3),
  /**
   * Operations one graphql-ws connection may run at once: its subscriptions,
   * and queries or mutations still running; the next is refused with
   * RATE_LIMITED until one completes. 100 lets a client follow each of its
   * open uploads (LFS_QUOTA_OPEN_UPLOADS, 100) with its own subscription,
   * while bounding what one socket holds (a listener and an iterator each).
   * @default 100
   */
  LFS_WS_MAX_SUBSCRIPTIONS: int(1, 100_000).default(100),
  /** Shortest download link; AWS-facing deployments keep 60, tests lower it. @default 60 */
  LFS_DOWNLOAD_LINK_MIN_SECONDS: int(1, 60).default(60),

  /** Run the promotion worker in this process (turn off for API-only instances). @default true */
  LFS_PROMOTION_ENABLED: bool.default(true),
  /**
   * Web origins allowed to upload into the dock from a browser (its CORS
   * rule), comma-separated; `*` for any. Uploads carry their own scoped
   * credentials, never cookies, so `*` opens no ambient authority. @default *
   */
  LFS_UPLOAD_ORIGINS: z
    .string()
    .default('*')
    .transform((value) => value.split(',').map((origin) => origin.trim()).filter(Boolean))
    .refine((origins) => origins.length > 0 && origins.every((origin) => origin === '*' || /^https?:\/\/[^/\s]+$/.test(origin)), 'a comma-separated list of origins such as https://app.example.com, or *'),
  /** Largest body the fallback `PUT /uploads/<fileId>` streams into the dock. @default 500 MiB */
  LFS_FALLBACK_MAX_BYTES: int(1, 5 * GiB).default(500 * MiB),
  /** Messages the promotion worker handles at once. @default 4 */
  LFS_PROMOTION_CONCURRENCY: int(1, 256).default(4),
  /** SQS visibility timeout for dock events, seconds. @default 300 */
  LFS_PROMOTION_VISIBILITY_SECONDS: int(1, 43200).default(300),

  /** Receives of a dock event before it goes to the dead-letter queue and its file is FAILED. @default 5 */
  LFS_PROMOTION_MAX_RECEIVES: int(1, 1000).default(5),
  /** First retry delay of a failed promotion, doubled each attempt (with jitter), seconds. @default 2 */
  LFS_PROMOTION_RETRY_BASE_SECONDS: int(0, 3600).default(2),
  /** Objects up to this size are promoted with one CopyObject, larger ones with parallel UploadPartCopy. @default 256 MiB */
  LFS_SINGLE_COPY_LIMIT: int(1, 5 * GiB).default(256 * MiB),
  /** Part size of the parallel vault copy (grown to fit 10,000 parts). @default 256 MiB */
  LFS_COPY_PART_SIZE: int(5 * MiB, 5 * GiB).default(256 * MiB),
  /** Parts copied at once per file. @default 8 */
  LFS_COPY_CONCURRENCY: int(1, 64).default(8),

  /** Dock lifecycle backstop: objects and unfinished uploads older than this many days are removed by S3 itself. @default 7 */
  LFS_DOCK_LIFECYCLE_DAYS: int(1, 3650).default(7),
  /** Seconds a worker waits for in-flight promotions at shutdown before handing their messages back. @default 20 */
  LFS_SHUTDOWN_GRACE_SECONDS: int(0, 3600).default(20),
  /** How often the cleanup job and the reconciler run, seconds. @default 60 */
  LFS_CLEANUP_INTERVAL_SECONDS: int(1, 86400).default(60),
  /** Multipart uploads in the dock older than this are aborted, seconds. @default 7 days */
  LFS_STALE_UPLOAD_SECONDS: int(60, 365 * 86400).default(7 * 86400),
  /**
   * Open multipart uploads one file's dock key may keep: each cleanup pass
   * aborts the older ones beyond it (a client writes through its latest
   * upload) and any whose staged parts exceed the declared size. @default 3
   */
  LFS_MAX_UPLOADS_PER_FILE: int(1, 1_000_000).default(3),
  /** A completed dock object waits this long for its notification before the reconciler promotes it. @default 120 */
  LFS_RECONCILE_GRACE_SECONDS: int(0, 86400).default(120),

  /** Test only: die with SIGKILL at this point of the promotion (see src/failpoints.ts). */
  LFS_FAILPOINT: z.enum(failpointNames).optional(),

  /** debug | info | warn | error | silent. @default info */
  LFS_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  /** Serve GraphiQL and introspection. @default true */
  LFS_GRAPHIQL: bool.default(true),
});

export type RawConfig = z.infer<typeof schema>;

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  publicUrl?: string;
  aws: {
    /** Start the embedded endpoint in process. */
    local: boolean;
    localPort: number;
    localMinSessionSeconds: number;
    localSecureTransport: boolean;
    localMaxUploadsPerKey: number;
    endpoint?: string;
    publicEndpoint?: string;
    region: string;
    accountId: string;
    credentials?: { accessKeyId: string; secretAccessKey: string };
  };
  storage: {
    dockBucket: string;
    vaultBucket: string;
    dockKmsKeyId: string;
    vaultKmsKeyId: string;
    dockEventsQueue: string;
    fileEventsQueue: string;
    uploadRoleArn: string;
  };
  uploads: {
    credentialsTtlSeconds: number;
    deadlineSeconds: number;
    maxFileSize: number;
    minPartSize: number;
    fallbackMaxBytes: number;
    /** The dock's CORS AllowedOrigins. */
    origins: string[];
  };
  auth: {
    secret?: string;
    issuer: string;
    audience: string;
    jwksUrl?: string;
    algorithms: string[];
    jwksCacheSeconds: number;
    tenantClaim: string;
    rolesClaim: string;
    adminRole: string;
    clockToleranceSeconds: number;
  };
  /** Limits of the GraphQL API (see the LFS_* settings above for each). */
  api: {
    maxBodyBytes: number;
    batchLimit: number;
    maxDepth: number;
    maxCost: number;
    maxAliases: number;
    maxDirectives: number;
    maxTokens: number;
    rateLimits: { requestUpload: { perMinute: number; burst: number }; refreshUploadCredentials: { perMinute: number; burst: number } };
    quotas: { openUploads: number; bytesInFlight: number };
    headersTimeoutSeconds: number;
    requestTimeoutSeconds: number;
    wsInitTimeoutSeconds: number;
    wsMaxSubscriptions: number;
    downloadLinkMinSeconds: number;
  };
  promotion: {
    enabled: boolean;
    concurrency: number;
    maxReceives: number;
    retryBaseSeconds: number;
    visibilitySeconds: number;
    singleCopyLimit: number;
    copyPartSize: number;
    copyConcurrency: number;
  };
  cleanup: { intervalSeconds: number; staleUploadSeconds: number; maxUploadsPerFile: number; reconcileGraceSeconds: number; dockLifecycleDays: number };
  shutdownGraceSeconds: number;
  logLevel: RawConfig['LFS_LOG_LEVEL'];
  failpoint?: FailpointName;
  graphiql: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads every `LFS_*` setting from `env`, validates all of them, and returns one frozen object. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([key, value]) => key.startsWith('LFS_') && value !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const raw = parsed.data;
  const problems: string[] = [];
  if (Boolean(raw.LFS_AWS_ACCESS_KEY_ID) !== Boolean(raw.LFS_AWS_SECRET_ACCESS_KEY)) {
    problems.push('LFS_AWS_ACCESS_KEY_ID and LFS_AWS_SECRET_ACCESS_KEY must be set together');
  }
  if (raw.LFS_DOCK_BUCKET === raw.LFS_VAULT_BUCKET) problems.push('LFS_DOCK_BUCKET and LFS_VAULT_BUCKET must differ');
  if (raw.LFS_DOCK_EVENTS_QUEUE === raw.LFS_FILE_EVENTS_QUEUE) {
    problems.push('LFS_DOCK_EVENTS_QUEUE and LFS_FILE_EVENTS_QUEUE must differ');
  }
  if (raw.LFS_DOCK_LIFECYCLE_DAYS * 86400 <= raw.LFS_UPLOAD_DEADLINE_SECONDS) {
    problems.push('LFS_DOCK_LIFECYCLE_DAYS must outlast LFS_UPLOAD_DEADLINE_SECONDS, or S3 would delete uploads still allowed to finish');
  }
  const local = raw.LFS_LOCAL_AWS ?? !raw.LFS_AWS_ENDPOINT;
  if (local && raw.LFS_AWS_ENDPOINT) problems.push('LFS_LOCAL_AWS=true and LFS_AWS_ENDPOINT cannot be combined');
  if (raw.LFS_AUTH_JWKS_URL && raw.LFS_AUTH_SECRET) problems.push('LFS_AUTH_JWKS_URL and LFS_AUTH_SECRET cannot be combined');
  // STS grants 900 s..12 h; only the embedded endpoint can be told to go lower (tests).
  const minTtl = local ? raw.LFS_LOCAL_AWS_MIN_SESSION_SECONDS : 900;
  if (raw.LFS_CREDENTIALS_TTL_SECONDS < minTtl) problems.push(`LFS_CREDENTIALS_TTL_SECONDS must be at least ${minTtl}`);
  // Credentials end by the ticket's deadline, and STS grants none shorter than minTtl.
  if (raw.LFS_UPLOAD_DEADLINE_SECONDS < minTtl) {
    problems.push(`LFS_UPLOAD_DEADLINE_SECONDS must be at least ${minTtl}, the shortest upload credentials, which must end by the deadline`);
  }
  if (problems.length > 0) throw new ConfigError(problems);

  return deepFreeze({
    port: raw.LFS_PORT,
    host: raw.LFS_HOST,
    dataDir: resolve(raw.LFS_DATA_DIR),
    publicUrl: raw.LFS_PUBLIC_URL,
    aws: {
      local,
      localPort: raw.LFS_LOCAL_AWS_PORT,
      localMinSessionSeconds: raw.LFS_LOCAL_AWS_MIN_SESSION_SECONDS,
      localSecureTransport: raw.LFS_LOCAL_AWS_SECURE_TRANSPORT,
      localMaxUploadsPerKey: raw.LFS_LOCAL_AWS_MAX_UPLOADS_PER_KEY,
      endpoint: raw.LFS_AWS_ENDPOINT,
      publicEndpoint: raw.LFS_AWS_PUBLIC_ENDPOINT,
      region: raw.LFS_AWS_REGION,
      accountId: raw.LFS_AWS_ACCOUNT_ID,
      credentials:
        raw.LFS_AWS_ACCESS_KEY_ID && raw.LFS_AWS_SECRET_ACCESS_KEY
          ? { accessKeyId: raw.LFS_AWS_ACCESS_KEY_ID, secretAccessKey: raw.LFS_AWS_SECRET_ACCESS_KEY }
          : undefined,
    },
    storage: {
      dockBucket: raw.LFS_DOCK_BUCKET,
      vaultBucket: raw.LFS_VAULT_BUCKET,
      dockKmsKeyId: raw.LFS_DOCK_KMS_KEY_ID,
      vaultKmsKeyId: raw.LFS_VAULT_KMS_KEY_ID,
      dockEventsQueue: raw.LFS_DOCK_EVENTS_QUEUE,
      fileEventsQueue: raw.LFS_FILE_EVENTS_QUEUE,
      uploadRoleArn: raw.LFS_UPLOAD_ROLE_ARN ?? `arn:aws:iam::${raw.LFS_AWS_ACCOUNT_ID}:role/lfs-upload`,
    },
    uploads: {
      credentialsTtlSeconds: raw.LFS_CREDENTIALS_TTL_SECONDS,
      deadlineSeconds: raw.LFS_UPLOAD_DEADLINE_SECONDS,
      maxFileSize: raw.LFS_MAX_FILE_SIZE,
      minPartSize: raw.LFS_MIN_PART_SIZE,
      fallbackMaxBytes: raw.LFS_FALLBACK_MAX_BYTES,
      origins: raw.LFS_UPLOAD_ORIGINS,
    },
    auth: {
      secret: raw.LFS_AUTH_SECRET,
      issuer: raw.LFS_AUTH_ISSUER,
      audience: raw.LFS_AUTH_AUDIENCE,
      jwksUrl: raw.LFS_AUTH_JWKS_URL,
      algorithms: raw.LFS_AUTH_ALGORITHMS.split(','),
      jwksCacheSeconds: raw.LFS_AUTH_JWKS_CACHE_SECONDS,
      tenantClaim: raw.LFS_AUTH_TENANT_CLAIM,
      rolesClaim: raw.LFS_AUTH_ROLES_CLAIM,
      adminRole: raw.LFS_AUTH_ADMIN_ROLE,
      clockToleranceSeconds: raw.LFS_AUTH_CLOCK_TOLERANCE_SECONDS,
    },
    api: {
      maxBodyBytes: raw.LFS_MAX_BODY_BYTES,
      batchLimit: raw.LFS_GRAPHQL_BATCH_LIMIT,
      maxDepth: raw.LFS_GRAPHQL_MAX_DEPTH,
      maxCost: raw.LFS_GRAPHQL_MAX_COST,
      maxAliases: raw.LFS_GRAPHQL_MAX_ALIASES,
      maxDirectives: raw.LFS_GRAPHQL_MAX_DIRECTIVES,
      maxTokens: raw.LFS_GRAPHQL_MAX_TOKENS,
      rateLimits: {
        requestUpload: { perMinute: raw.LFS_RATE_UPLOADS_PER_MINUTE, burst: raw.LFS_RATE_UPLOADS_BURST },
        refreshUploadCredentials: { perMinute: raw.LFS_RATE_REFRESH_PER_MINUTE, burst: raw.LFS_RATE_REFRESH_BURST },
      },
      quotas: { openUploads: raw.LFS_QUOTA_OPEN_UPLOADS, bytesInFlight: raw.LFS_QUOTA_BYTES_IN_FLIGHT },
      headersTimeoutSeconds: raw.LFS_HTTP_HEADERS_TIMEOUT_SECONDS,
      requestTimeoutSeconds: raw.LFS_HTTP_REQUEST_TIMEOUT_SECONDS,
      wsInitTimeoutSeconds: raw.LFS_WS_INIT_TIMEOUT_SECONDS,
      wsMaxSubscriptions: raw.LFS_WS_MAX_SUBSCRIPTIONS,
      downloadLinkMinSeconds: raw.LFS_DOWNLOAD_LINK_MIN_SECONDS,
    },
    promotion: {
      enabled: raw.LFS_PROMOTION_ENABLED,
      concurrency: raw.LFS_PROMOTION_CONCURRENCY,
      maxReceives: raw.LFS_PROMOTION_MAX_RECEIVES,
      retryBaseSeconds: raw.LFS_PROMOTION_RETRY_BASE_SECONDS,
      visibilitySeconds: raw.LFS_PROMOTION_VISIBILITY_SECONDS,
      singleCopyLimit: raw.LFS_SINGLE_COPY_LIMIT,
      copyPartSize: raw.LFS_COPY_PART_SIZE,
      copyConcurrency: raw.LFS_COPY_CONCURRENCY,
    },
    cleanup: {
      intervalSeconds: raw.LFS_CLEANUP_INTERVAL_SECONDS,
      staleUploadSeconds: raw.LFS_STALE_UPLOAD_SECONDS,
      maxUploadsPerFile: raw.LFS_MAX_UPLOADS_PER_FILE,
      reconcileGraceSeconds: raw.LFS_RECONCILE_GRACE_SECONDS,
      dockLifecycleDays: raw.LFS_DOCK_LIFECYCLE_DAYS,
    },
    shutdownGraceSeconds: raw.LFS_SHUTDOWN_GRACE_SECONDS,
    logLevel: raw.LFS_LOG_LEVEL,
    failpoint: raw.LFS_FAILPOINT,
    graphiql: raw.LFS_GRAPHIQL,
  });
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
