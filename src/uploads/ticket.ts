import type { Caller, Checksum, FileRecord } from '../files/model.js';

/** Where and how the browser uploads; matches `UploadTarget` in ../shared/API.md. */
export interface UploadTarget {
  endpoint: string | null;
  region: string;
  bucket: string;
  key: string;
  forcePathStyle: boolean;
  kmsKeyId: string;
  partSize: number;
}

export interface UploadCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

export interface UploadTicket {
  file: FileRecord;
  target: UploadTarget;
  credentials: UploadCredentials;
}

/** A presigned GET on the vault copy; matches `DownloadLink` in ../shared/API.md. */
export interface DownloadLink {
  url: string;
  expiresAt: Date;
}

/** `RequestUploadInput` after validation by the API layer. */
export interface UploadRequest {
  name: string;
  size: number;
  contentType: string;
  metadata: Record<string, unknown>;
  checksum: Checksum | null;
}

/**
 * The upload use cases behind the mutations. Errors are `LfsError`s
 * (NOT_FOUND for files the caller cannot see, CONFLICT for wrong states).
 */
export interface UploadService {
  requestUpload(caller: Caller, request: UploadRequest): Promise<UploadTicket>;
  refreshUploadCredentials(caller: Caller, fileId: string): Promise<UploadCredentials>;
  /** The file when the caller may see it. */
  getFile(caller: Caller, fileId: string): Promise<FileRecord | undefined>;
  /**
   * Aborts the multipart upload and moves the file to CANCELLED. Optional
   * until implemented: the API answers INTERNAL 'not implemented yet' without it.
   */
  cancelUpload?(caller: Caller, fileId: string): Promise<FileRecord>;
  /** A presigned GET for an AVAILABLE file, valid `expiresInSeconds` (validated by the API). Optional like cancelUpload. */
  createDownloadLink?(caller: Caller, fileId: string, expiresInSeconds: number): Promise<DownloadLink>;
}
