/**
 * Response headers a browser's upload must read from the dock: lib-storage
 * needs each part's ETag; the SDK reads the checksum and encryption headers.
 */
export const DOCK_EXPOSED_HEADERS = [
  'ETag',
  'x-amz-request-id',
  'x-amz-version-id',
  'x-amz-server-side-encryption',
  'x-amz-server-side-encryption-aws-kms-key-id',
  'x-amz-checksum-crc32',
  'x-amz-checksum-crc32c',
  'x-amz-checksum-crc64nvme',
  'x-amz-checksum-sha256',
  'x-amz-checksum-type',
];
