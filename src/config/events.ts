import { z } from 'zod';

/** An unguessable secret: at least 32 URL-safe characters (e.g. `openssl rand -hex 32`). */
const secret = z
  .string()
  .min(32, 'must be at least 32 characters (openssl rand -hex 32)')
  .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, - and _ only (it goes in a URL)');

/** Comma-separated http(s) URLs. */
const urlList = z
  .string()
  .transform((value) => value.split(',').map((url) => url.trim()).filter(Boolean))
  .pipe(z.array(z.string().url().regex(/^https?:\/\//, 'must be an http(s) URL')).min(1));

/**
 * The S3 engine LFS runs on, and how events come in and go out where there
 * is no SQS (Ceph's object gateway: notifications pushed over HTTP, file
 * events sent as signed webhooks).
 */
export const eventSettings = {
  /**
   * The S3 engine: `aws` (AWS, or the embedded endpoint) or `ceph` (Ceph's
   * object gateway, radosgw). On `ceph` dock events arrive by HTTP push
   * (LFS_EVENT_INTAKE_SECRET), there is no SQS, KMS or bucket default
   * encryption API, and `lfs provision` provisions the gateway's way (see
   * README "Running on Ceph"). @default aws
   */
  LFS_S3_ENGINE: z.enum(['aws', 'ceph']).default('aws'),
  /**
   * Turns on `POST /events/s3/<secret>`, the intake of S3 event notifications
   * pushed over HTTP (a Ceph topic's push-endpoint). The gateway cannot sign
   * its pushes, so this secret in the URL is what authenticates them. Required
   * with LFS_S3_ENGINE=ceph.
   */
  LFS_EVENT_INTAKE_SECRET: secret.optional(),
  /** LFS's base URL as the gateway reaches it; `lfs provision` points the dock's topic at `<it>/events/s3/<secret>`. @default http://<LFS_HOST>:<LFS_PORT> */
  LFS_PUBLIC_URL: z.string().url().optional(),
  /**
   * Back ends that get FileAvailable / FileFailed as webhooks: POSTs of the
   * JSON message, signed with HMAC-SHA256 (LFS_WEBHOOK_SECRET) in the
   * `X-LFS-Signature: sha256=<hex>` header, retried from the outbox with
   * backoff until each answers 2xx (at least once: dedupe on `X-LFS-Event-Id`).
   */
  LFS_WEBHOOK_URLS: urlList.optional(),
  /** The HMAC-SHA256 key webhooks are signed with; required with LFS_WEBHOOK_URLS. */
  LFS_WEBHOOK_SECRET: secret.optional(),
  /**
   * How the vault copy is made: `auto` (one CopyObject below
   * LFS_SINGLE_COPY_LIMIT, and UploadPartCopy into a multipart upload from
   * the first CopyObject the engine answers 501 on) or `multipart` (always
   * UploadPartCopy: Ceph cannot CopyObject an SSE-KMS source).
   * @default multipart on ceph, else auto
   */
  LFS_VAULT_COPY: z.enum(['auto', 'multipart']).optional(),
};
