import { HeadObjectCommand, ListMultipartUploadsCommand, ListPartsCommand, type S3Client } from '@aws-sdk/client-s3';
import { createDigester } from '@lfs/checksums';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import WebSocket from 'ws';
import { randomStream } from './data.js';

/** Writes `size` pseudo-random bytes to `dir/name`; returns the path and the CRC64NVME (base64) S3 would report. */
export async function writeSourceFile(dir: string, name: string, size: number): Promise<{ path: string; crc64: string }> {
  const path = join(dir, name);
  const digester = createDigester('CRC64NVME');
  const { stream } = randomStream(size);
  await pipeline(
    stream,
    new Transform({
      transform(chunk: Buffer, _encoding, done) {
        digester.update(chunk);
        done(null, chunk);
      },
    }),
    createWriteStream(path),
  );
  return { path, crc64: (await digester.digest()).toString('base64') };
}

/** fetch that counts the GraphQL operations it sends, by operation name. */
export function countingFetch() {
  const counts = new Map<string, number>();
  const fetchImpl: typeof fetch = (input, init) => {
    const name = typeof init?.body === 'string' ? /(?:mutation|query)\s+(\w+)/.exec(init.body)?.[1] : undefined;
    if (name) counts.set(name, (counts.get(name) ?? 0) + 1);
    return fetch(input, init);
  };
  return { fetch: fetchImpl, count: (name: string) => counts.get(name) ?? 0 };
}

/** A `ws` WebSocket that counts the upload credentials LFS pushes through it. */
export function countingWebSocket() {
  const seen = { pushes: 0 };
  class Counting extends WebSocket {
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args);
      this.addEventListener('message', (event) => {
        if (String(event.data).includes('"uploadCredentials"')) seen.pushes++;
      });
    }
  }
  return { WebSocket: Counting, seen };
}

/** A WebSocket that never connects: a network where WebSockets are blocked. */
export class BlockedWebSocket extends WebSocket {
  constructor(url: string | URL, protocols?: string | string[]) {
    super('ws://127.0.0.1:9/blocked', protocols);
    void url;
  }
}

/** The open multipart uploads of `key` and their parts, as the dock's owner sees them. */
export async function dockUploads(s3: S3Client, bucket: string, key: string) {
  const listed = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: key }));
  return Promise.all(
    (listed.Uploads ?? []).map(async (upload) => {
      const parts = await s3.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: upload.UploadId }));
      return { uploadId: upload.UploadId!, parts: (parts.Parts ?? []).map((part) => ({ number: part.PartNumber!, etag: part.ETag!, modified: part.LastModified?.toISOString() })) };
    }),
  );
}

/** The vault object's full-object CRC64NVME, as S3 keeps it. */
export async function vaultCrc64(s3: S3Client, bucket: string, fileId: string): Promise<string | undefined> {
  const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: `files/${fileId}`, ChecksumMode: 'ENABLED' }));
  return head.ChecksumCRC64NVME;
}

/** A port nothing listens on: connections to it are refused. */
export async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
