import { HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { createDigester } from '@lfs/checksums';
import { drain, eventsByFile } from './queues.js';
import type { Ticket } from './operations.js';
import { WAIT_TIMEOUT_MS } from './waits.js';
import { s3ForTicket } from './uploader.js';

/** One PutObject of `body` on the ticket's dock key, with only the ticket's credentials (as its owner can, again and again). */
export async function putWithTicket(ticket: Ticket, body: Buffer): Promise<void> {
  const s3 = s3ForTicket(ticket);
  try {
    await s3.send(
      new PutObjectCommand({
        Bucket: ticket.target.bucket,
        Key: ticket.target.key,
        Body: body,
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: ticket.target.kmsKeyId,
      }),
    );
  } finally {
    s3.destroy();
  }
}

/**
 * The types of the file-events messages about `fileId` (FileAvailable,
 * FileFailed), draining the queue until at least one arrived or `timeoutMs`
 * passed.
 */
export async function fileEventTypes(sqs: SQSClient, url: string, fileId: string, timeoutMs = WAIT_TIMEOUT_MS): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  const seen: string[] = [];
  while (Date.now() < deadline) {
    const events = eventsByFile(await drain(sqs, url));
    seen.push(...(events[fileId] ?? []));
    if (seen.length > 0) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return seen;
}

/** Base64 CRC32 of `body`, as a declared checksum. */
export async function crc32Of(body: Buffer): Promise<string> {
  const digester = createDigester('CRC32');
  digester.update(body);
  return (await digester.digest()).toString('base64');
}

/** Whether `bucket` has no object at `key` (HEAD answers 404). */
export function isGone(s3: S3Client, bucket: string, key: string): Promise<boolean> {
  return s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).then(
    () => false,
    (error) => {
      if (error?.$metadata?.httpStatusCode === 404) return true;
      throw error;
    },
  );
}
