import { objectArn, authorize } from '../authz.js';
import { checksumField, type ChecksumAlgorithm } from '../checksums.js';
import type { S3Handler } from '../context.js';
import { quote, requireBucket, requireKey } from '../objects.js';
import { requireUpload } from '../uploads.js';
import { s3Document, xmlContentType } from '../../xml.js';

export const listParts: S3Handler = async (ctx, req, target) => {
  const key = requireKey(target.key);
  const bucket = requireBucket(ctx, target.bucket);
  authorize(ctx, req, 's3:ListMultipartUploadParts', objectArn(bucket.name, key), bucket);
  const upload = requireUpload(ctx, req.query.get('uploadId'), bucket.name, key);
  const maxParts = Math.min(1000, Math.max(0, Number(req.query.get('max-parts') ?? 1000) || 1000));
  const marker = Number(req.query.get('part-number-marker') ?? 0) || 0;
  const all = ctx.store.listParts.all(upload.upload_id).filter((p) => p.part_number > marker);
  const page = all.slice(0, maxParts);
  const truncated = all.length > page.length;
  const initiator = { ID: upload.initiator, DisplayName: upload.initiator };
  const body = s3Document('ListPartsResult', {
    Bucket: bucket.name,
    Key: key,
    UploadId: upload.upload_id,
    PartNumberMarker: marker,
    NextPartNumberMarker: page.length ? page[page.length - 1].part_number : marker,
    MaxParts: maxParts,
    IsTruncated: truncated,
    Part: page.map((p) => {
      const checksum = p.checksum ? (JSON.parse(p.checksum) as { algorithm: ChecksumAlgorithm; value: string }) : undefined;
      return {
        PartNumber: p.part_number,
        LastModified: p.last_modified,
        ETag: quote(p.etag),
        Size: p.size,
        ...(checksum ? { [checksumField(checksum.algorithm)]: checksum.value } : {}),
      };
    }),
    Initiator: initiator,
    Owner: { ID: ctx.accountId, DisplayName: 'local' },
    StorageClass: 'STANDARD',
    ChecksumAlgorithm: upload.checksum_algorithm ?? undefined,
    ChecksumType: upload.checksum_type ?? undefined,
  });
  return { status: 200, headers: xmlContentType, body };
};
