import type { LocalDb } from '../db.js';
import type { Segment } from './segments.js';

/** Headers S3 stores with an object and returns on GET/HEAD (content-*, cache-control, expires, x-amz-meta-*). */
export type StoredHeaders = Record<string, string>;

export interface BucketRow {
  name: string;
  created_at: string;
  policy: string | null;
  cors: string | null;
  lifecycle: string | null;
  encryption: string | null;
  notification: string | null;
  public_access_block: string | null;
}

export interface ObjectRow {
  bucket: string;
  key: string;
  size: number;
  etag: string;
  last_modified: string;
  headers: string;
  sse: string | null;
  kms_key_arn: string | null;
  checksum_algorithm: string | null;
  checksum_value: string | null;
  checksum_type: string | null;
  parts_count: number | null;
  segments: string;
}

export interface UploadRow {
  upload_id: string;
  bucket: string;
  key: string;
  initiated: string;
  headers: string;
  sse: string | null;
  kms_key_arn: string | null;
  checksum_algorithm: string | null;
  checksum_type: string | null;
  initiator: string;
}

export interface PartRow {
  upload_id: string;
  part_number: number;
  size: number;
  etag: string;
  checksum: string | null;
  blob: string;
  last_modified: string;
}

export type BucketSetting = 'policy' | 'cors' | 'lifecycle' | 'encryption' | 'notification' | 'public_access_block';

/** SQLite tables of the S3 side and the statements the handlers use. */
export function createS3Store(db: LocalDb) {
  db.exec(`
    CREATE TABLE IF NOT EXISTS s3_buckets (
      name TEXT PRIMARY KEY,
      created_at TEXT NOT NULL,
      policy TEXT, cors TEXT, lifecycle TEXT, encryption TEXT, notification TEXT
    );
    CREATE TABLE IF NOT EXISTS s3_objects (
      bucket TEXT NOT NULL REFERENCES s3_buckets(name),
      key TEXT NOT NULL,
      size INTEGER NOT NULL,
      etag TEXT NOT NULL,
      last_modified TEXT NOT NULL,
      headers TEXT NOT NULL,
      sse TEXT, kms_key_arn TEXT,
      checksum_algorithm TEXT, checksum_value TEXT, checksum_type TEXT,
      parts_count INTEGER,
      segments TEXT NOT NULL,
      PRIMARY KEY (bucket, key)
    );
    CREATE TABLE IF NOT EXISTS s3_uploads (
      upload_id TEXT PRIMARY KEY,
      bucket TEXT NOT NULL REFERENCES s3_buckets(name),
      key TEXT NOT NULL,
      initiated TEXT NOT NULL,
      headers TEXT NOT NULL,
      sse TEXT, kms_key_arn TEXT,
      checksum_algorithm TEXT, checksum_type TEXT,
      initiator TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS s3_uploads_by_key ON s3_uploads (bucket, key);
    CREATE TABLE IF NOT EXISTS s3_parts (
      upload_id TEXT NOT NULL REFERENCES s3_uploads(upload_id) ON DELETE CASCADE,
      part_number INTEGER NOT NULL,
      size INTEGER NOT NULL,
      etag TEXT NOT NULL,
      checksum TEXT,
      blob TEXT NOT NULL,
      last_modified TEXT NOT NULL,
      PRIMARY KEY (upload_id, part_number)
    );
  `);

  // Block Public Access came later than the table.
  const bucketColumns = db.prepare<[], { name: string }>('PRAGMA table_info(s3_buckets)').all().map((c) => c.name);
  if (!bucketColumns.includes('public_access_block')) db.exec('ALTER TABLE s3_buckets ADD COLUMN public_access_block TEXT');

  const statements = {
    getBucket: db.prepare<[string], BucketRow>('SELECT * FROM s3_buckets WHERE name = ?'),
    listBuckets: db.prepare<[], BucketRow>('SELECT * FROM s3_buckets ORDER BY name'),
    insertBucket: db.prepare<[string, string]>('INSERT INTO s3_buckets (name, created_at) VALUES (?, ?)'),
    deleteBucket: db.prepare<[string]>('DELETE FROM s3_buckets WHERE name = ?'),
    bucketHasObjects: db.prepare<[string], { one: number }>('SELECT 1 AS one FROM s3_objects WHERE bucket = ? LIMIT 1'),
    bucketHasUploads: db.prepare<[string], { one: number }>('SELECT 1 AS one FROM s3_uploads WHERE bucket = ? LIMIT 1'),
    getObject: db.prepare<[string, string], ObjectRow>('SELECT * FROM s3_objects WHERE bucket = ? AND key = ?'),
    putObject: db.prepare<ObjectRow>(`
      INSERT INTO s3_objects (bucket, key, size, etag, last_modified, headers, sse, kms_key_arn,
        checksum_algorithm, checksum_value, checksum_type, parts_count, segments)
      VALUES (@bucket, @key, @size, @etag, @last_modified, @headers, @sse, @kms_key_arn,
        @checksum_algorithm, @checksum_value, @checksum_type, @parts_count, @segments)
      ON CONFLICT (bucket, key) DO UPDATE SET size = excluded.size, etag = excluded.etag,
        last_modified = excluded.last_modified, headers = excluded.headers, sse = excluded.sse,
        kms_key_arn = excluded.kms_key_arn, checksum_algorithm = excluded.checksum_algorithm,
        checksum_value = excluded.checksum_value, checksum_type = excluded.checksum_type,
        parts_count = excluded.parts_count, segments = excluded.segments`),
    deleteObject: db.prepare<[string, string]>('DELETE FROM s3_objects WHERE bucket = ? AND key = ?'),
    listObjects: db.prepare<[string, string, string, string, number], ObjectRow>(
      `SELECT * FROM s3_objects WHERE bucket = ? AND key > ? AND substr(key, 1, length(?)) = ? ORDER BY key LIMIT ?`,
    ),
    getUpload: db.prepare<[string], UploadRow>('SELECT * FROM s3_uploads WHERE upload_id = ?'),
    insertUpload: db.prepare<UploadRow>(`
      INSERT INTO s3_uploads (upload_id, bucket, key, initiated, headers, sse, kms_key_arn, checksum_algorithm, checksum_type, initiator)
      VALUES (@upload_id, @bucket, @key, @initiated, @headers, @sse, @kms_key_arn, @checksum_algorithm, @checksum_type, @initiator)`),
    deleteUpload: db.prepare<[string]>('DELETE FROM s3_uploads WHERE upload_id = ?'),
    listUploads: db.prepare<[string], UploadRow>('SELECT * FROM s3_uploads WHERE bucket = ? ORDER BY key, initiated'),
    /**
     * One page of ListMultipartUploads: by key, then upload id (ids grow with
     * initiation), resuming after the marker pair even when the marker's own
     * upload is gone; an empty upload-id marker skips the key marker's uploads, as in S3.
     */
    listUploadsPage: db.prepare<{ bucket: string; prefix: string; keyMarker: string; uploadIdMarker: string; limit: number }, UploadRow>(`
      SELECT * FROM s3_uploads WHERE bucket = @bucket AND substr(key, 1, length(@prefix)) = @prefix
        AND (key > @keyMarker OR (key = @keyMarker AND @uploadIdMarker <> '' AND upload_id > @uploadIdMarker))
      ORDER BY key, upload_id LIMIT @limit`),
    countUploadsOfKey: db.prepare<[string, string], { n: number }>('SELECT COUNT(*) AS n FROM s3_uploads WHERE bucket = ? AND key = ?'),
    getPart: db.prepare<[string, number], PartRow>('SELECT * FROM s3_parts WHERE upload_id = ? AND part_number = ?'),
    listParts: db.prepare<[string], PartRow>('SELECT * FROM s3_parts WHERE upload_id = ? ORDER BY part_number'),
    putPart: db.prepare<PartRow>(`
      INSERT INTO s3_parts (upload_id, part_number, size, etag, checksum, blob, last_modified)
      VALUES (@upload_id, @part_number, @size, @etag, @checksum, @blob, @last_modified)
      ON CONFLICT (upload_id, part_number) DO UPDATE SET size = excluded.size, etag = excluded.etag,
        checksum = excluded.checksum, blob = excluded.blob, last_modified = excluded.last_modified`),
    allObjectSegments: db.prepare<[], { segments: string }>('SELECT segments FROM s3_objects'),
    allPartBlobs: db.prepare<[], { blob: string }>('SELECT blob FROM s3_parts'),
  };

  const setSetting = (setting: BucketSetting) => db.prepare<[string | null, string]>(`UPDATE s3_buckets SET ${setting} = ? WHERE name = ?`);
  const settingStatements = {
    policy: setSetting('policy'),
    cors: setSetting('cors'),
    lifecycle: setSetting('lifecycle'),
    encryption: setSetting('encryption'),
    notification: setSetting('notification'),
    public_access_block: setSetting('public_access_block'),
  };

  return {
    db,
    ...statements,
    setBucketSetting(bucket: string, setting: BucketSetting, value: string | null): void {
      settingStatements[setting].run(value, bucket);
    },
    /** Every blob a row still points at; anything else on disk is garbage from an interrupted write. */
    referencedBlobs(): Set<string> {
      const set = new Set<string>();
      for (const row of statements.allObjectSegments.iterate()) for (const s of JSON.parse(row.segments) as Segment[]) set.add(s.blob);
      for (const row of statements.allPartBlobs.iterate()) set.add(row.blob);
      return set;
    },
  };
}

export type S3Store = ReturnType<typeof createS3Store>;

export function segmentsOf(row: ObjectRow): Segment[] {
  return JSON.parse(row.segments) as Segment[];
}

export function headersOf(row: { headers: string }): StoredHeaders {
  return JSON.parse(row.headers) as StoredHeaders;
}
