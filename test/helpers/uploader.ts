import { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Agent } from 'node:https';
import type { Readable } from 'node:stream';
import type { Ticket } from './operations.js';

/** An S3 client built only from what a ticket hands the browser (trusting `ca` too, as a browser told to would). */
export function s3ForTicket(ticket: Ticket, ca?: string): S3Client {
  return new S3Client({
    ...(ca ? { requestHandler: { httpsAgent: new Agent({ ca }) } } : {}),
    endpoint: ticket.target.endpoint ?? undefined,
    region: ticket.target.region,
    forcePathStyle: ticket.target.forcePathStyle,
    credentials: {
      accessKeyId: ticket.credentials.accessKeyId,
      secretAccessKey: ticket.credentials.secretAccessKey,
      sessionToken: ticket.credentials.sessionToken,
    },
  });
}

/** Uploads as a front end does: lib-storage multipart, SSE-KMS with the ticket's key. */
export async function uploadWithTicket(ticket: Ticket, body: Readable, options: { partSize?: number; queueSize?: number; ca?: string } = {}): Promise<void> {
  const client = s3ForTicket(ticket, options.ca);
  try {
    const upload = new Upload({
      client,
      partSize: options.partSize ?? ticket.target.partSize,
      queueSize: options.queueSize ?? 4,
      leavePartsOnError: false,
      params: {
        Bucket: ticket.target.bucket,
        Key: ticket.target.key,
        Body: body,
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: ticket.target.kmsKeyId,
      },
    });
    await upload.done();
  } finally {
    client.destroy();
  }
}
