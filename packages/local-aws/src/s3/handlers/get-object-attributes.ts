import { AwsError } from '../../errors.js';
import { objectArn, authorize } from '../authz.js';
import { checksumField, isChecksumAlgorithm } from '../checksums.js';
import type { S3Handler } from '../context.js';
import { checkPreconditions } from '../objects.js';
import { segmentsOf, type ObjectRow } from '../store.js';
import { s3Document, xmlContentType, type XmlNode } from '../../xml.js';
import { readableObject } from './get-object.js';

const ATTRIBUTES = ['ETag', 'Checksum', 'ObjectParts', 'StorageClass', 'ObjectSize'] as const;
type Attribute = (typeof ATTRIBUTES)[number];

/** `x-amz-object-attributes: ETag, Checksum, …` (SDKs now put spaces after the commas). */
function requestedAttributes(header: string | undefined): Set<Attribute> {
  const names = (header ?? '').split(',').map((name) => name.trim()).filter(Boolean);
  if (names.length === 0) throw new AwsError('InvalidRequest', 'The x-amz-object-attributes header specifying the attributes to be retrieved is either missing or empty');
  for (const name of names) if (!(ATTRIBUTES as readonly string[]).includes(name)) throw new AwsError('InvalidArgument', 'Invalid attribute name specified.', { ArgumentName: 'x-amz-object-attributes', ArgumentValue: name });
  return new Set(names as Attribute[]);
}

function boundedInteger(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim())) throw new AwsError('InvalidArgument', `Provided ${name} not an integer or within integer range`, { ArgumentName: name, ArgumentValue: value });
  return n;
}

/**
 * The parts of a multipart object as S3 describes them: every part with its
 * size and checksum for a COMPOSITE checksum (a ListParts of the object,
 * paged by x-amz-max-parts and x-amz-part-number-marker); only the count for
 * an object without part checksums, or with a FULL_OBJECT one.
 */
function objectParts(row: ObjectRow, headers: Record<string, string>): XmlNode | undefined {
  if (!row.parts_count) return undefined;
  const algorithm = row.checksum_algorithm && isChecksumAlgorithm(row.checksum_algorithm) ? row.checksum_algorithm : undefined;
  if (!algorithm || row.checksum_type !== 'COMPOSITE') return { PartsCount: row.parts_count };
  const maxParts = Math.min(1000, boundedInteger(headers['x-amz-max-parts'], 'x-amz-max-parts', 1000));
  const marker = boundedInteger(headers['x-amz-part-number-marker'], 'x-amz-part-number-marker', 0);
  const all = segmentsOf(row).map((segment, index) => ({ number: index + 1, segment })).filter((p) => p.number > marker);
  const page = all.slice(0, maxParts);
  return {
    PartNumberMarker: marker,
    NextPartNumberMarker: page.length ? page[page.length - 1].number : marker,
    MaxParts: maxParts,
    IsTruncated: all.length > page.length,
    Part: page.map(({ number, segment }) => ({ PartNumber: number, Size: segment.size, [checksumField(algorithm)]: segment.checksum })),
    PartsCount: row.parts_count,
  };
}

/**
 * GetObjectAttributes: HeadObject and ListParts in one answer, each
 * attribute only when asked for. The ETag is unquoted and a COMPOSITE
 * checksum has no `-N` here, as S3 writes them in this document.
 */
export const getObjectAttributes: S3Handler = async (ctx, req, target) => {
  const { bucket, row } = readableObject(ctx, req, target, 's3:GetObject');
  authorize(ctx, req, 's3:GetObjectAttributes', objectArn(bucket.name, row.key), bucket);
  const wanted = requestedAttributes(req.headers['x-amz-object-attributes']);
  checkPreconditions(req.headers, row, 'read');
  const algorithm = row.checksum_algorithm && isChecksumAlgorithm(row.checksum_algorithm) ? row.checksum_algorithm : undefined;
  const body = s3Document('GetObjectAttributesResponse', {
    ETag: wanted.has('ETag') ? row.etag : undefined,
    Checksum:
      wanted.has('Checksum') && algorithm && row.checksum_value
        ? { [checksumField(algorithm)]: row.checksum_value.replace(/-\d+$/, ''), ChecksumType: row.checksum_type ?? 'FULL_OBJECT' }
        : undefined,
    ObjectParts: wanted.has('ObjectParts') ? objectParts(row, req.headers) : undefined,
    StorageClass: wanted.has('StorageClass') ? 'STANDARD' : undefined,
    ObjectSize: wanted.has('ObjectSize') ? row.size : undefined,
  });
  return { status: 200, headers: { ...xmlContentType, 'last-modified': new Date(row.last_modified).toUTCString() }, body };
};
