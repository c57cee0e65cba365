import {
  AbortMultipartUploadCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  type MultipartUpload,
  type Part,
  type S3Client,
  type _Object,
} from '@aws-sdk/client-s3';

// S3 answers every listing a page at a time (1,000 entries at most): whoever
// lists must follow the markers, or what lies past the first page is missed.

/** Every object under `prefix`, page by page, without holding more than one page. */
export async function* objectsUnder(s3: S3Client, bucket: string, prefix: string): AsyncGenerator<_Object> {
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    yield* page.Contents ?? [];
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

/**
 * Every unfinished multipart upload under `prefix`, sorted by key and, within
 * a key, by initiation. The caller may abort each upload as it gets it: the
 * markers are positions in the listing, not references to live uploads.
 */
export async function* uploadsUnder(s3: S3Client, bucket: string, prefix: string): AsyncGenerator<MultipartUpload> {
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  do {
    const page = await s3.send(
      new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker }),
    );
    yield* page.Uploads ?? [];
    if (!page.IsTruncated) break;
    keyMarker = page.NextKeyMarker;
    uploadIdMarker = page.NextUploadIdMarker;
  } while (keyMarker);
}

/** The unfinished multipart uploads of exactly `key` (a prefix listing also matches longer keys). */
export async function* uploadsOfKey(s3: S3Client, bucket: string, key: string): AsyncGenerator<MultipartUpload> {
  for await (const upload of uploadsUnder(s3, bucket, key)) if (upload.Key === key) yield upload;
}

/** Every part staged so far in one multipart upload, in part-number order. */
export async function* partsOf(s3: S3Client, bucket: string, key: string, uploadId: string): AsyncGenerator<Part> {
  let marker: string | undefined;
  do {
    const page = await s3.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumberMarker: marker }));
    yield* page.Parts ?? [];
    marker = page.IsTruncated ? page.NextPartNumberMarker : undefined;
  } while (marker);
}

/** Aborts a listed upload; one that is gone meanwhile (completed, or aborted by another pass) is not an error. */
export async function abortUpload(s3: S3Client, bucket: string, upload: MultipartUpload): Promise<void> {
  try {
    await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: upload.Key, UploadId: upload.UploadId }));
  } catch (error) {
    if ((error as { name?: string }).name !== 'NoSuchUpload') throw error;
  }
}

/**
 * Aborts every upload `uploads` yields, `concurrency` at a time (each abort
 * is a round trip; thousands one after another would take minutes on AWS).
 * The first failure stops it once the aborts in flight settle, and is thrown.
 */
export async function abortEach(s3: S3Client, bucket: string, uploads: AsyncIterable<MultipartUpload>, concurrency = 8): Promise<number> {
  const inFlight = new Set<Promise<void>>();
  let aborted = 0;
  let failure: { error: unknown } | undefined;
  for await (const upload of uploads) {
    const settled: Promise<void> = abortUpload(s3, bucket, upload)
      .then(
        () => void aborted++,
        (error: unknown) => void (failure ??= { error }),
      )
      .finally(() => inFlight.delete(settled));
    inFlight.add(settled);
    if (inFlight.size >= concurrency) await Promise.race(inFlight);
    if (failure) break;
  }
  await Promise.all(inFlight);
  if (failure) throw failure.error;
  return aborted;
}
