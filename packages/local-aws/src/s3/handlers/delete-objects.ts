import { createHash } from 'node:crypto';
import { readAll } from '../../auth/index.js';
import { AwsError, isAwsError } from '../../errors.js';
import { objectArn, authorize } from '../authz.js';
import type { S3Handler } from '../context.js';
import { requireBucket } from '../objects.js';
import { asArray, parseXml, s3Document, xmlContentType } from '../../xml.js';
import { deleteRow } from './delete-object.js';

/** Up to 1000 keys per request; each key is authorized and reported on its own. */
export const deleteObjects: S3Handler = async (ctx, req, { bucket }) => {
  const row = requireBucket(ctx, bucket);
  const text = await readAll(req.body, 2 * 1024 * 1024);
  const md5 = req.headers['content-md5'];
  if (md5 !== undefined && createHash('md5').update(text).digest('base64') !== md5) throw new AwsError('BadDigest');
  const document = parseXml(text.toString('utf8'), 'Delete');
  const entries = asArray(document.Object as { Key?: string } | { Key?: string }[]);
  if (entries.length === 0 || entries.length > 1000) throw new AwsError('MalformedXML');
  const quiet = String(document.Quiet) === 'true';
  const deleted: { Key: string }[] = [];
  const errors: { Key: string; Code: string; Message: string }[] = [];
  const blobs: string[] = [];
  for (const entry of entries) {
    const key = String(entry.Key ?? '');
    try {
      authorize(ctx, req, 's3:DeleteObject', objectArn(bucket, key), row);
      blobs.push(...deleteRow(ctx, req, bucket, key, false));
      if (!quiet) deleted.push({ Key: key });
    } catch (error) {
      if (!isAwsError(error)) throw error;
      errors.push({ Key: key, Code: error.code, Message: error.message });
    }
  }
  await ctx.blobs.remove(blobs);
  return { status: 200, headers: xmlContentType, body: s3Document('DeleteResult', { Deleted: deleted, Error: errors }) };
};
