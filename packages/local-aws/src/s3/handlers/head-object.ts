import type { S3Handler } from '../context.js';
import { objectHeaders } from '../objects.js';
import { parseRange, readableObject, responseOverrides } from './get-object.js';

export const headObject: S3Handler = async (ctx, req, target) => {
  const overrides = responseOverrides(req);
  const row = readableObject(ctx, req, target);
  const range = parseRange(req.headers['range'], row.size);
  const checksumMode = req.headers['x-amz-checksum-mode']?.toUpperCase() === 'ENABLED' && !range;
  const headers = { ...objectHeaders(row, checksumMode), ...overrides };
  if (!range) return { status: 200, headers };
  headers['content-length'] = range.end - range.start + 1;
  headers['content-range'] = `bytes ${range.start}-${range.end}/${row.size}`;
  return { status: 206, headers };
};
