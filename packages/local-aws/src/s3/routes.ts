import type { AwsRequest } from '../types.js';
import type { S3Handler, S3Target } from './context.js';
import { abortMultipartUpload } from './handlers/abort-multipart-upload.js';
import { deleteBucketCors, getBucketCors, preflight, putBucketCors } from './handlers/bucket-cors.js';
import { deleteBucketEncryption, getBucketEncryption, putBucketEncryption } from './handlers/bucket-encryption.js';
import { deleteBucketLifecycle, getBucketLifecycle, putBucketLifecycle } from './handlers/bucket-lifecycle.js';
import { deleteBucketPolicy, getBucketPolicy, putBucketPolicy } from './handlers/bucket-policy.js';
import { deletePublicAccessBlock, getPublicAccessBlock, putPublicAccessBlock } from './handlers/bucket-public-access.js';
import { deleteObjects } from './handlers/delete-objects.js';
import { listMultipartUploads } from './handlers/list-multipart-uploads.js';
import { listObjectsV2 } from './handlers/list-objects-v2.js';
import { getBucketLocation } from './handlers/get-bucket-location.js';
import { getBucketNotificationConfiguration, putBucketNotificationConfiguration } from './handlers/bucket-notification.js';
import { completeMultipartUpload } from './handlers/complete-multipart-upload.js';
import { copyObject } from './handlers/copy-object.js';
import { createBucket } from './handlers/create-bucket.js';
import { createMultipartUpload } from './handlers/create-multipart-upload.js';
import { deleteBucket } from './handlers/delete-bucket.js';
import { deleteObject } from './handlers/delete-object.js';
import { getObject } from './handlers/get-object.js';
import { headBucket } from './handlers/head-bucket.js';
import { headObject } from './handlers/head-object.js';
import { listBuckets } from './handlers/list-buckets.js';
import { listParts } from './handlers/list-parts.js';
import { putObject } from './handlers/put-object.js';
import { uploadPartCopy } from './handlers/upload-part-copy.js';
import { uploadPart } from './handlers/upload-part.js';

/** Bucket sub-resources by method; a sub-resource not listed is NotImplemented rather than mistaken for another operation. */
const bucketSubresources: Record<string, Partial<Record<string, S3Handler>>> = {
  notification: { PUT: putBucketNotificationConfiguration, GET: getBucketNotificationConfiguration },
  policy: { PUT: putBucketPolicy, GET: getBucketPolicy, DELETE: deleteBucketPolicy },
  cors: { PUT: putBucketCors, GET: getBucketCors, DELETE: deleteBucketCors },
  lifecycle: { PUT: putBucketLifecycle, GET: getBucketLifecycle, DELETE: deleteBucketLifecycle },
  encryption: { PUT: putBucketEncryption, GET: getBucketEncryption, DELETE: deleteBucketEncryption },
  uploads: { GET: listMultipartUploads },
  delete: { POST: deleteObjects },
  location: { GET: getBucketLocation },
  publicAccessBlock: { PUT: putPublicAccessBlock, GET: getPublicAccessBlock, DELETE: deletePublicAccessBlock },
};

const UNSUPPORTED = ['acl', 'tagging', 'versioning', 'versions', 'website', 'replication', 'logging', 'object-lock', 'retention', 'legal-hold', 'torrent', 'restore', 'select', 'attributes', 'accelerate', 'analytics', 'inventory', 'metrics', 'ownershipControls', 'requestPayment', 'intelligent-tiering'];

/** Picks the handler for a request from method, path shape and query; undefined means NotImplemented. */
export function routeS3(request: AwsRequest, target: S3Target): S3Handler | undefined {
  const { method, query, headers } = request;
  if (UNSUPPORTED.some((name) => query.has(name))) return undefined;
  if (method === 'OPTIONS') return target.bucket === '' ? undefined : preflight;
  if (target.bucket === '') return method === 'GET' ? listBuckets : undefined;
  if (target.key === undefined) {
    for (const [name, handlers] of Object.entries(bucketSubresources)) if (query.has(name)) return handlers[method];
    switch (method) {
      case 'PUT':
        return createBucket;
      case 'HEAD':
        return headBucket;
      case 'GET':
        // ListObjects v1 has no list-type; v2 is what every current client sends.
        return query.get('list-type') === '2' ? listObjectsV2 : undefined;
      case 'DELETE':
        return deleteBucket;
      default:
        return undefined;
    }
  }
  switch (method) {
    case 'PUT':
      if (query.has('uploadId')) return headers['x-amz-copy-source'] !== undefined ? uploadPartCopy : uploadPart;
      return headers['x-amz-copy-source'] !== undefined ? copyObject : putObject;
    case 'GET':
      return query.has('uploadId') ? listParts : getObject;
    case 'HEAD':
      return headObject;
    case 'DELETE':
      return query.has('uploadId') ? abortMultipartUpload : deleteObject;
    case 'POST':
      if (query.has('uploads')) return createMultipartUpload;
      if (query.has('uploadId')) return completeMultipartUpload;
      return undefined;
    default:
      return undefined;
  }
}
