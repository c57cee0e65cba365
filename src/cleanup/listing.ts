import { ListMultipartUploadsCommand, ListObjectsV2Command, type MultipartUpload, type S3Client, type _Object } from '@aws-sdk/client-s3';

/** Every object under `prefix`, page by page, without holding more than one page. */
export async function* objectsUnder(s3: S3Client, bucket: string, prefix: string): AsyncGenerator<_Object> {
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    yield* page.Contents ?? [];
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

/** Every unfinished multipart upload under `prefix`. */
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
