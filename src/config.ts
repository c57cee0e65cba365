import { join, resolve } from 'node:path';
import { z } from 'zod';
import { apiSettings } from './config/api.js';
import { authSettings } from './config/auth.js';
import { awsSettings } from './config/aws.js';
import { backgroundSettings } from './config/background.js';
import { databaseSettings } from './config/database.js';
import { eventSettings } from './config/events.js';
import { serverSettings } from './config/server.js';
import { uploadSettings } from './config/uploads.js';

/**
 * Every setting, with its environment variable (`LFS_` + upper snake case)
 * and default; config/ documents each. Parsed once at start.
 */
const settings = z.object({ ...serverSettings, ...awsSettings, ...uploadSettings, ...authSettings, ...apiSettings, ...backgroundSettings, ...databaseSettings, ...eventSettings });

type Settings = z.output<typeof settings>;

/** The embedded endpoint runs unless told otherwise or pointed elsewhere. */
const isLocal = (s: Settings) => s.LFS_LOCAL_AWS ?? !s.LFS_AWS_ENDPOINT;
/** No LFS_AUTH_SECRET and no JWKS: tokens are signed with a secret LFS generates into its data folder. */
const hasGeneratedSecret = (s: Settings) => s.LFS_AUTH_SECRET === undefined && s.LFS_AUTH_JWKS_URL === undefined;
/**
 * Development: the embedded endpoint and the generated secret. Nothing real
 * is at stake, so GraphiQL is on and opens with a development token.
 */
const isDevelopment = (s: Settings) => isLocal(s) && hasGeneratedSecret(s);
/** STS grants 900 s..12 h; only the embedded endpoint can be told to go lower (tests). */
const minSessionSeconds = (s: Settings) => (isLocal(s) ? s.LFS_LOCAL_AWS_MIN_SESSION_SECONDS : 900);
const decidesLocal = ['LFS_LOCAL_AWS', 'LFS_AWS_ENDPOINT', 'LFS_LOCAL_AWS_MIN_SESSION_SECONDS'] as const;

/**
 * Rules between settings. Each names the settings it reads and runs unless
 * one of them is itself invalid, so a bad value and a broken rule between
 * two good ones are reported together.
 */
const crossChecks: ReadonlyArray<{ reads: ReadonlyArray<keyof Settings>; problem(s: Settings): string | false }> = [
  {
    reads: ['LFS_AWS_ACCESS_KEY_ID', 'LFS_AWS_SECRET_ACCESS_KEY'],
    problem: (s) => !s.LFS_AWS_ACCESS_KEY_ID !== !s.LFS_AWS_SECRET_ACCESS_KEY && 'LFS_AWS_ACCESS_KEY_ID and LFS_AWS_SECRET_ACCESS_KEY must be set together',
  },
  {
    reads: ['LFS_AWS_ACCESS_KEY_ID', 'LFS_AWS_SESSION_TOKEN'],
    problem: (s) => s.LFS_AWS_SESSION_TOKEN !== undefined && !s.LFS_AWS_ACCESS_KEY_ID && 'LFS_AWS_SESSION_TOKEN needs LFS_AWS_ACCESS_KEY_ID and LFS_AWS_SECRET_ACCESS_KEY',
  },
  {
    reads: ['LFS_LOCAL_AWS_ACCESS_KEY_ID', 'LFS_LOCAL_AWS_SECRET_ACCESS_KEY'],
    problem: (s) =>
      !s.LFS_LOCAL_AWS_ACCESS_KEY_ID !== !s.LFS_LOCAL_AWS_SECRET_ACCESS_KEY &&
      'LFS_LOCAL_AWS_ACCESS_KEY_ID and LFS_LOCAL_AWS_SECRET_ACCESS_KEY must be set together',
  },
  {
    reads: ['LFS_LOCAL_AWS_TLS_CERT', 'LFS_LOCAL_AWS_TLS_KEY'],
    problem: (s) => !s.LFS_LOCAL_AWS_TLS_CERT !== !s.LFS_LOCAL_AWS_TLS_KEY && 'LFS_LOCAL_AWS_TLS_CERT and LFS_LOCAL_AWS_TLS_KEY must be set together',
  },
  {
    reads: ['LFS_DOCK_BUCKET', 'LFS_VAULT_BUCKET'],
    problem: (s) => s.LFS_DOCK_BUCKET === s.LFS_VAULT_BUCKET && 'LFS_DOCK_BUCKET and LFS_VAULT_BUCKET must differ',
  },
  {
    reads: ['LFS_DOCK_EVENTS_QUEUE', 'LFS_FILE_EVENTS_QUEUE'],
    problem: (s) => s.LFS_DOCK_EVENTS_QUEUE === s.LFS_FILE_EVENTS_QUEUE && 'LFS_DOCK_EVENTS_QUEUE and LFS_FILE_EVENTS_QUEUE must differ',
  },
  {
    reads: ['LFS_DOCK_LIFECYCLE_DAYS', 'LFS_UPLOAD_DEADLINE_SECONDS'],
    problem: (s) =>
      s.LFS_DOCK_LIFECYCLE_DAYS * 86400 <= s.LFS_UPLOAD_DEADLINE_SECONDS &&
      'LFS_DOCK_LIFECYCLE_DAYS must outlast LFS_UPLOAD_DEADLINE_SECONDS, or S3 would delete uploads still allowed to finish',
  },
  {
    reads: ['LFS_LOCAL_AWS', 'LFS_AWS_ENDPOINT'],
    problem: (s) => isLocal(s) && s.LFS_AWS_ENDPOINT !== undefined && 'LFS_LOCAL_AWS=true and LFS_AWS_ENDPOINT cannot be combined',
  },
  {
    reads: ['LFS_AUTH_JWKS_URL', 'LFS_AUTH_SECRET'],
    problem: (s) => s.LFS_AUTH_JWKS_URL !== undefined && s.LFS_AUTH_SECRET !== undefined && 'LFS_AUTH_JWKS_URL and LFS_AUTH_SECRET cannot be combined',
  },
  {
    reads: [...decidesLocal, 'LFS_CREDENTIALS_TTL_SECONDS'],
    problem: (s) => s.LFS_CREDENTIALS_TTL_SECONDS < minSessionSeconds(s) && `LFS_CREDENTIALS_TTL_SECONDS must be at least ${minSessionSeconds(s)}`,
  },
  {
    // Credentials end by the ticket's deadline, and STS grants none shorter than the minimum.
    reads: [...decidesLocal, 'LFS_UPLOAD_DEADLINE_SECONDS'],
    problem: (s) =>
      s.LFS_UPLOAD_DEADLINE_SECONDS < minSessionSeconds(s) &&
      `LFS_UPLOAD_DEADLINE_SECONDS must be at least ${minSessionSeconds(s)}, the shortest upload credentials, which must end by the deadline`,
  },
  {
    reads: ['LFS_S3_ENGINE', 'LFS_EVENT_INTAKE_SECRET'],
    problem: (s) =>
      s.LFS_S3_ENGINE === 'ceph' && !s.LFS_EVENT_INTAKE_SECRET && 'LFS_S3_ENGINE=ceph needs LFS_EVENT_INTAKE_SECRET: the gateway pushes dock events to LFS',
  },
  {
    reads: ['LFS_S3_ENGINE', 'LFS_LOCAL_AWS', 'LFS_AWS_ENDPOINT'],
    problem: (s) => s.LFS_S3_ENGINE === 'ceph' && isLocal(s) && 'LFS_S3_ENGINE=ceph needs LFS_AWS_ENDPOINT, the gateway',
  },
  {
    reads: ['LFS_WEBHOOK_URLS', 'LFS_WEBHOOK_SECRET'],
    problem: (s) => !s.LFS_WEBHOOK_URLS !== !s.LFS_WEBHOOK_SECRET && 'LFS_WEBHOOK_URLS and LFS_WEBHOOK_SECRET must be set together',
  },
];

const credentialsOf = (accessKeyId: string | undefined, secretAccessKey: string | undefined, sessionToken?: string) =>
  accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } : undefined;

/** The settings as LFS reads them: grouped by concern, with derived values filled in. */
const configSchema = settings
  .superRefine(
    (s, ctx) => {
      const invalid = new Set(ctx.issues.map((issue) => issue.path?.[0]));
      for (const check of crossChecks) {
        if (check.reads.some((name) => invalid.has(name))) continue;
        const problem = check.problem(s);
        if (problem) ctx.addIssue({ code: 'custom', message: problem, input: s, path: [] });
      }
    },
    // By default zod skips refinements once a field failed; these guard themselves (see crossChecks).
    { when: () => true },
  )
  .transform((s) => {
    const dataDir = resolve(s.LFS_DATA_DIR);
    return {
      port: s.LFS_PORT,
      host: s.LFS_HOST,
      dataDir,
      database: {
        /** PostgreSQL when set; SQLite at `sqlitePath` otherwise. */
        url: s.LFS_DATABASE_URL,
        sqlitePath: join(dataDir, 'lfs.sqlite'),
        poolSize: s.LFS_DATABASE_POOL_SIZE,
        statementTimeoutMs: s.LFS_DATABASE_STATEMENT_TIMEOUT_MS,
        connectTimeoutMs: s.LFS_DATABASE_CONNECT_TIMEOUT_MS,
      },
      aws: {
        /** Start the embedded endpoint in process. */
        local: isLocal(s),
        /** The embedded endpoint's own data folder, inside LFS's. */
        localDataDir: join(dataDir, 'aws'),
        localPort: s.LFS_LOCAL_AWS_PORT,
        localMinSessionSeconds: s.LFS_LOCAL_AWS_MIN_SESSION_SECONDS,
        localSecureTransport: s.LFS_LOCAL_AWS_SECURE_TRANSPORT,
        /** The embedded endpoint serves HTTPS with these PEM files. */
        localTls: s.LFS_LOCAL_AWS_TLS_CERT && s.LFS_LOCAL_AWS_TLS_KEY ? { certFile: resolve(s.LFS_LOCAL_AWS_TLS_CERT), keyFile: resolve(s.LFS_LOCAL_AWS_TLS_KEY) } : undefined,
        localMaxUploadsPerKey: s.LFS_LOCAL_AWS_MAX_UPLOADS_PER_KEY,
        /** Root credentials of `lfs local-aws`; generated when unset. */
        localRootCredentials: credentialsOf(s.LFS_LOCAL_AWS_ACCESS_KEY_ID, s.LFS_LOCAL_AWS_SECRET_ACCESS_KEY),
        endpoint: s.LFS_AWS_ENDPOINT,
        publicEndpoint: s.LFS_AWS_PUBLIC_ENDPOINT,
        /** Certificate authorities trusted for the endpoint besides Node's. */
        caFile: s.LFS_AWS_CA_FILE && resolve(s.LFS_AWS_CA_FILE),
        region: s.LFS_AWS_REGION,
        /** Undefined: read from STS GetCallerIdentity at start (the embedded endpoint's own account when embedded). */
        accountId: s.LFS_AWS_ACCOUNT_ID,
        /** Undefined means the SDK's default chain. */
        credentials: credentialsOf(s.LFS_AWS_ACCESS_KEY_ID, s.LFS_AWS_SECRET_ACCESS_KEY, s.LFS_AWS_SESSION_TOKEN),
        /** Create or fix the resources at start instead of only checking them (always when embedded). */
        provisionOnStart: isLocal(s) || s.LFS_PROVISION_ON_START,
        resourceRecheckSeconds: s.LFS_RESOURCE_RECHECK_SECONDS,
      },
      storage: {
        dockBucket: s.LFS_DOCK_BUCKET,
        vaultBucket: s.LFS_VAULT_BUCKET,
        dockKmsKeyId: s.LFS_DOCK_KMS_KEY_ID,
        vaultKmsKeyId: s.LFS_VAULT_KMS_KEY_ID,
        dockEventsQueue: s.LFS_DOCK_EVENTS_QUEUE,
        fileEventsQueue: s.LFS_FILE_EVENTS_QUEUE,
        /** Undefined: `arn:aws:iam::<account>:role/lfs-upload`, once the account is known (see `uploadRoleArnOf`). */
        uploadRoleArn: s.LFS_UPLOAD_ROLE_ARN,
      },
      uploads: {
        credentialsTtlSeconds: s.LFS_CREDENTIALS_TTL_SECONDS,
        credentialsPushSeconds: s.LFS_CREDENTIALS_PUSH_SECONDS,
        deadlineSeconds: s.LFS_UPLOAD_DEADLINE_SECONDS,
        maxFileSize: s.LFS_MAX_FILE_SIZE,
        minPartSize: s.LFS_MIN_PART_SIZE,
        fallbackMaxBytes: s.LFS_FALLBACK_MAX_BYTES,
        /** The dock's CORS AllowedOrigins. */
        origins: s.LFS_UPLOAD_ORIGINS,
      },
      auth: {
        secret: s.LFS_AUTH_SECRET,
        /** The secret is LFS's own, generated into the data folder: `npm start` prints a development token. */
        generatedSecret: hasGeneratedSecret(s),
        issuer: s.LFS_AUTH_ISSUER,
        audience: s.LFS_AUTH_AUDIENCE,
        jwksUrl: s.LFS_AUTH_JWKS_URL,
        algorithms: s.LFS_AUTH_ALGORITHMS.split(','),
        jwksCacheSeconds: s.LFS_AUTH_JWKS_CACHE_SECONDS,
        tenantClaim: s.LFS_AUTH_TENANT_CLAIM,
        rolesClaim: s.LFS_AUTH_ROLES_CLAIM,
        adminRole: s.LFS_AUTH_ADMIN_ROLE,
        clockToleranceSeconds: s.LFS_AUTH_CLOCK_TOLERANCE_SECONDS,
      },
      /** Limits of the GraphQL API (config/api.ts documents each). */
      api: {
        maxBodyBytes: s.LFS_MAX_BODY_BYTES,
        batchLimit: s.LFS_GRAPHQL_BATCH_LIMIT,
        maxDepth: s.LFS_GRAPHQL_MAX_DEPTH,
        maxCost: s.LFS_GRAPHQL_MAX_COST,
        maxAliases: s.LFS_GRAPHQL_MAX_ALIASES,
        maxDirectives: s.LFS_GRAPHQL_MAX_DIRECTIVES,
        maxTokens: s.LFS_GRAPHQL_MAX_TOKENS,
        rateLimits: {
          requestUpload: { perMinute: s.LFS_RATE_UPLOADS_PER_MINUTE, burst: s.LFS_RATE_UPLOADS_BURST },
          refreshUploadCredentials: { perMinute: s.LFS_RATE_REFRESH_PER_MINUTE, burst: s.LFS_RATE_REFRESH_BURST },
        },
        quotas: { openUploads: s.LFS_QUOTA_OPEN_UPLOADS, bytesInFlight: s.LFS_QUOTA_BYTES_IN_FLIGHT },
        headersTimeoutSeconds: s.LFS_HTTP_HEADERS_TIMEOUT_SECONDS,
        requestTimeoutSeconds: s.LFS_HTTP_REQUEST_TIMEOUT_SECONDS,
        wsInitTimeoutSeconds: s.LFS_WS_INIT_TIMEOUT_SECONDS,
        wsMaxSubscriptions: s.LFS_WS_MAX_SUBSCRIPTIONS,
        downloadLinkMinSeconds: s.LFS_DOWNLOAD_LINK_MIN_SECONDS,
      },
      promotion: {
        enabled: s.LFS_PROMOTION_ENABLED,
        concurrency: s.LFS_PROMOTION_CONCURRENCY,
        maxReceives: s.LFS_PROMOTION_MAX_RECEIVES,
        retryBaseSeconds: s.LFS_PROMOTION_RETRY_BASE_SECONDS,
        visibilitySeconds: s.LFS_PROMOTION_VISIBILITY_SECONDS,
        singleCopyLimit: s.LFS_SINGLE_COPY_LIMIT,
        copyPartSize: s.LFS_COPY_PART_SIZE,
        copyConcurrency: s.LFS_COPY_CONCURRENCY,
        /** `multipart`: the vault copy always uses UploadPartCopy (Ceph cannot CopyObject an SSE-KMS source). */
        vaultCopy: s.LFS_VAULT_COPY ?? (s.LFS_S3_ENGINE === 'ceph' ? 'multipart' : 'auto'),
      },
      /** Engine, and events in and out where there is no SQS (config/events.ts). */
      events: {
        engine: s.LFS_S3_ENGINE,
        intakeSecret: s.LFS_EVENT_INTAKE_SECRET,
        publicUrl: s.LFS_PUBLIC_URL ?? `http://${s.LFS_HOST.includes(':') ? `[${s.LFS_HOST}]` : s.LFS_HOST}:${s.LFS_PORT}`,
        webhooks: s.LFS_WEBHOOK_URLS && s.LFS_WEBHOOK_SECRET ? { urls: s.LFS_WEBHOOK_URLS, secret: s.LFS_WEBHOOK_SECRET } : undefined,
      },
      cleanup: {
        intervalSeconds: s.LFS_CLEANUP_INTERVAL_SECONDS,
        staleUploadSeconds: s.LFS_STALE_UPLOAD_SECONDS,
        maxUploadsPerFile: s.LFS_MAX_UPLOADS_PER_FILE,
        reconcileGraceSeconds: s.LFS_RECONCILE_GRACE_SECONDS,
        dockLifecycleDays: s.LFS_DOCK_LIFECYCLE_DAYS,
      },
      shutdownGraceSeconds: s.LFS_SHUTDOWN_GRACE_SECONDS,
      logLevel: s.LFS_LOG_LEVEL,
      failpoint: s.LFS_FAILPOINT,
      /** See isDevelopment: GraphiQL's default, its development token and examples, the banner's token. */
      development: isDevelopment(s),
      graphiql: s.LFS_GRAPHIQL ?? isDevelopment(s),
    };
  });

export type Config = z.output<typeof configSchema>;

/** The upload role's ARN: the configured one, or `lfs-upload` in `accountId`. */
export function uploadRoleArnOf(config: Config, accountId: string): string {
  return config.storage.uploadRoleArn ?? `arn:aws:iam::${accountId}:role/lfs-upload`;
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
  const parsed = configSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message)));
  }
  return deepFreeze(parsed.data);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
