import type { Insertable, Selectable } from 'kysely';
import type { ChecksumAlgorithm, FileRecord, FileStatus, NewFile } from '../files/model.js';
import type { FilesTable } from './schema.js';

/** A `files` row as both dialects return it, and as one is inserted (promoted_bytes defaults to 0). */
export type FileRow = Selectable<FilesTable>;
type NewFileRow = Insertable<FilesTable>;

const dateOrNull = (ms: number | null) => (ms === null ? null : new Date(ms));

export function toRecord(row: FileRow): FileRecord {
  return {
    id: row.id,
    owner: row.owner,
    tenant: row.tenant,
    name: row.name,
    size: row.size,
    contentType: row.content_type,
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    status: row.status as FileStatus,
    checksum:
      row.checksum_algorithm !== null && row.checksum_value !== null
        ? { algorithm: row.checksum_algorithm as ChecksumAlgorithm, value: row.checksum_value }
        : null,
    failureReason: row.failure_reason,
    createdAt: new Date(row.created_at),
    uploadedAt: dateOrNull(row.uploaded_at),
    availableAt: dateOrNull(row.available_at),
    uploadDeadline: new Date(row.upload_deadline),
    updatedAt: new Date(row.updated_at),
    promotedBytes: row.promoted_bytes,
  };
}

export function toRow(file: NewFile, status: FileStatus): NewFileRow {
  return {
    id: file.id,
    owner: file.owner,
    tenant: file.tenant,
    name: file.name,
    size: file.size,
    content_type: file.contentType,
    metadata: JSON.stringify(file.metadata),
    status,
    checksum_algorithm: file.checksum?.algorithm ?? null,
    checksum_value: file.checksum?.value ?? null,
    failure_reason: null,
    created_at: file.createdAt.getTime(),
    uploaded_at: null,
    available_at: null,
    upload_deadline: file.uploadDeadline.getTime(),
    updated_at: file.createdAt.getTime(),
  };
}
