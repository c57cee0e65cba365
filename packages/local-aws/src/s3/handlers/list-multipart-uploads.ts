import { bucketArn, authorize } from '../authz.js';
import type { S3Handler } from '../context.js';
import { requireBucket } from '../objects.js';
import { s3Document, xmlContentType } from '../../xml.js';

export const listMultipartUploads: S3Handler = async (ctx, req, { bucket }) => {
  const row = requireBucket(ctx, bucket);
  authorize(ctx, req, 's3:ListBucketMultipartUploads', bucketArn(bucket), row);
  const prefix = req.query.get('prefix') ?? '';
  const keyMarker = req.query.get('key-marker') ?? '';
  const uploadIdMarker = req.query.get('upload-id-marker') ?? '';
  const maxUploads = Math.max(1, Math.min(1000, Number(req.query.get('max-uploads') ?? 1000) || 1000));
  // One row past the page says whether another page follows.
  const rows = ctx.store.listUploadsPage.all({ bucket, prefix, keyMarker, uploadIdMarker, limit: maxUploads + 1 });
  const truncated = rows.length > maxUploads;
  const page = rows.slice(0, maxUploads);
  const last = page[page.length - 1];
  const body = s3Document('ListMultipartUploadsResult', {
    Bucket: bucket,
    KeyMarker: keyMarker,
    UploadIdMarker: uploadIdMarker,
    NextKeyMarker: truncated ? last.key : undefined,
    NextUploadIdMarker: truncated ? last.upload_id : undefined,
    Prefix: prefix || undefined,
    MaxUploads: maxUploads,
    IsTruncated: truncated,
    Upload: page.map((u) => ({
      Key: u.key,
      UploadId: u.upload_id,
      Initiator: { ID: u.initiator, DisplayName: u.initiator },
      Owner: { ID: ctx.accountId, DisplayName: 'local' },
      StorageClass: 'STANDARD',
      Initiated: u.initiated,
      ChecksumAlgorithm: u.checksum_algorithm ?? undefined,
      ChecksumType: u.checksum_type ?? undefined,
    })),
  });
  return { status: 200, headers: xmlContentType, body };
};
