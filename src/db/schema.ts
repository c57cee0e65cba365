import type { Generated, Kysely } from 'kysely';

/**
 * The tables as Kysely sees them, the same on both dialects: times are epoch
 * milliseconds and sizes whole bytes (INTEGER in SQLite, BIGINT in
 * PostgreSQL, read back as numbers), so one row mapping and one cursor
 * format serve both.
 */
export interface FilesTable {
  id: string;
  owner: string;
  tenant: string;
  name: string;
  size: number;
  content_type: string;
  /** JSON text. */
  metadata: string;
  status: string;
  checksum_algorithm: string | null;
  checksum_value: string | null;
  failure_reason: string | null;
  created_at: number;
  uploaded_at: number | null;
  available_at: number | null;
  upload_deadline: number;
  updated_at: number;
  promoted_bytes: Generated<number>;
}

/** The outbox of FileAvailable / FileFailed messages. */
export interface AnnouncementsTable {
  id: Generated<number>;
  file_id: string;
  status: string;
  created_at: number;
  /** A relay took it and is sending it until then; null when nobody has. */
  claimed_until: number | null;
}

/** Token buckets shared by every instance (rate limits). */
export interface RateBucketsTable {
  key: string;
  tokens: number;
  at: number;
}

/** Who runs a cluster-wide job (the housekeeping pass), until when. */
export interface LeasesTable {
  name: string;
  holder: string;
  expires_at: number;
}

export interface Tables {
  files: FilesTable;
  announcements: AnnouncementsTable;
  rate_buckets: RateBucketsTable;
  leases: LeasesTable;
}

export type Dialect = 'sqlite' | 'postgres';

/** An open database: the query builder and which dialect it speaks. */
export interface Db {
  kysely: Kysely<Tables>;
  dialect: Dialect;
}
