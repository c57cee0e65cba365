import { z } from 'zod';
import { GiB, MiB, TiB, int } from './fields.js';

/** Tickets, their credentials, and what a browser may upload. */
export const uploadSettings = {
  /** Lifetime of upload credentials in seconds: 900..43200 on AWS, down to LFS_LOCAL_AWS_MIN_SESSION_SECONDS on the embedded endpoint. @default 3600 */
  LFS_CREDENTIALS_TTL_SECONDS: int(1, 43200).default(3600),
  /**
   * The `uploadCredentials(fileId)` subscription delivers fresh credentials
   * this long before the current ones expire (at most three quarters of
   * their lifetime before, so short-lived credentials are not pushed in a
   * loop). @default 300
   */
  LFS_CREDENTIALS_PUSH_SECONDS: int(1, 43200).default(300),
  /** How long a ticket may stay unused before it is EXPIRED; its credentials end by then (at least 900, as STS's shortest session). @default 86400 */
  LFS_UPLOAD_DEADLINE_SECONDS: int(1, 30 * 86400).default(86400),
  /** Largest declared size accepted. @default 5 TiB */
  LFS_MAX_FILE_SIZE: int(1, 5 * TiB).default(5 * TiB),
  /** Smallest part size recommended to clients. @default 8 MiB */
  LFS_MIN_PART_SIZE: int(5 * MiB, 5 * GiB).default(8 * MiB),
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
};
