import { badInput } from '../errors.js';
import type { ChecksumAlgorithm } from '../files/model.js';
import type { UploadRequest } from '../uploads/ticket.js';

/** `RequestUploadInput` as GraphQL hands it over (scalars already parsed). */
export interface RequestUploadInputShape {
  name: string;
  size: number;
  contentType?: string | null;
  metadata?: Record<string, unknown> | null;
  checksum?: { algorithm: ChecksumAlgorithm; value: string } | null;
}

export const MAX_NAME_LENGTH = 1024;
export const MAX_METADATA_BYTES = 8 * 1024;
export const MAX_METADATA_KEYS = 64;
export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

/** Digest lengths in bytes; S3 sends each as base64 in `x-amz-checksum-*`. */
export const checksumBytes: Readonly<Record<ChecksumAlgorithm, number>> = {
  CRC32: 4,
  CRC32C: 4,
  CRC64NVME: 8,
  SHA256: 32,
};

// RFC 7231 §3.1.1.1: type "/" subtype *( OWS ";" OWS parameter ), parameter = token "=" ( token / quoted-string ).
const token = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const quoted = '"(?:[\\t !#-\\[\\]-~\\x80-\\xFF]|\\\\[\\t !-~\\x80-\\xFF])*"';
const mediaType = new RegExp(`^${token}/${token}(?:[ \\t]*;[ \\t]*${token}=(?:${token}|${quoted}))*$`);

/**
 * Checks every field of a requested upload and returns the normalized
 * request, or throws BAD_USER_INPUT naming the first bad field. Runs before
 * anything is created, so a rejected request changes nothing.
 */
export function validateUploadRequest(input: RequestUploadInputShape, limits: { maxFileSize: number }): UploadRequest {
  return {
    name: validateName(input.name),
    size: validateSize(input.size, limits.maxFileSize),
    contentType: validateContentType(input.contentType),
    metadata: validateMetadata(input.metadata),
    checksum: input.checksum ? validateChecksum(input.checksum) : null,
  };
}

function validateName(name: string): string {
  const length = [...name].length;
  if (length < 1 || length > MAX_NAME_LENGTH) throw badInput('input.name', `must be 1 to ${MAX_NAME_LENGTH} characters`);
  // Control characters break Content-Disposition headers and log lines; lone surrogates cannot be encoded.
  if (/\p{Cc}/u.test(name)) throw badInput('input.name', 'must not contain control characters');
  if (/\p{Cs}/u.test(name)) throw badInput('input.name', 'must be well-formed Unicode');
  return name;
}

function validateSize(size: number, maxFileSize: number): number {
  if (!Number.isSafeInteger(size) || size <= 0) throw badInput('input.size', 'must be a positive integer');
  if (size > maxFileSize) throw badInput('input.size', `must not exceed ${maxFileSize} bytes`);
  return size;
}

function validateContentType(contentType: string | null | undefined): string {
  if (contentType === undefined || contentType === null) return DEFAULT_CONTENT_TYPE;
  if (contentType.length > 255 || !mediaType.test(contentType)) {
    throw badInput('input.contentType', 'must be a media type such as "text/plain; charset=utf-8"');
  }
  return contentType;
}

function validateMetadata(metadata: Record<string, unknown> | null | undefined): Record<string, unknown> {
  if (metadata === undefined || metadata === null) return {};
  if (Object.keys(metadata).length > MAX_METADATA_KEYS) throw badInput('input.metadata', `must have at most ${MAX_METADATA_KEYS} keys`);
  if (Buffer.byteLength(JSON.stringify(metadata), 'utf8') > MAX_METADATA_BYTES) {
    throw badInput('input.metadata', `must serialize to at most ${MAX_METADATA_BYTES} bytes of JSON`);
  }
  return metadata;
}

/** A declared checksum, canonical base64 of the algorithm's digest length; `field` names the value in errors. */
export function validateChecksum(checksum: { algorithm: ChecksumAlgorithm; value: string }, field = 'input.checksum.value') {
  const bytes = checksumBytes[checksum.algorithm];
  // Canonical base64 only: decoding then re-encoding must give the same text,
  // because the value is compared byte for byte with what S3 reports.
  const decoded = Buffer.from(checksum.value, 'base64');
  if (decoded.length !== bytes || decoded.toString('base64') !== checksum.value) {
    throw badInput(field, `must be the base64 of ${bytes} bytes for ${checksum.algorithm}`);
  }
  return { algorithm: checksum.algorithm, value: checksum.value };
}
