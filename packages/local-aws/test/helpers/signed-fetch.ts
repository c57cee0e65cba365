import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';

function bytes(data: string | ArrayBuffer | ArrayBufferView): string | Buffer {
  if (typeof data === 'string') return data;
  return ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data);
}

/** SHA-256 for the SDK's signer, from node:crypto (the SDK no longer ships its own). */
class Sha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret ? createHmac('sha256', bytes(secret)) : createHash('sha256');
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {}
}

export interface SignedFetchOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  region: string;
}

/**
 * A SigV4-signed (header) request with plain fetch, for what the SDK hides:
 * the raw XML of an answer, its headers, or a request shape the SDK never
 * sends. The payload is UNSIGNED-PAYLOAD.
 */
export async function signedFetch(url: string, options: SignedFetchOptions): Promise<Response> {
  const target = new URL(url);
  const signer = new SignatureV4({ service: 's3', region: options.region, credentials: options.credentials, sha256: Sha256 });
  const query: Record<string, string> = {};
  for (const [name, value] of target.searchParams) query[name] = value;
  const method = options.method ?? 'GET';
  const signed = await signer.sign({
    method,
    protocol: target.protocol,
    hostname: target.hostname,
    port: Number(target.port),
    path: target.pathname,
    query,
    headers: { host: target.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', ...options.headers },
  });
  return fetch(target, { method, headers: signed.headers, body: options.body as BodyInit | undefined });
}

/** A presigned URL for any method and query, valid `expiresIn` seconds (the signer refuses nothing, unlike the SDK's presigner). */
export async function presignedUrl(url: string, options: Omit<SignedFetchOptions, 'body'> & { expiresIn: number; signingDate?: Date }): Promise<string> {
  const target = new URL(url);
  const signer = new SignatureV4({ service: 's3', region: options.region, credentials: options.credentials, sha256: Sha256, uriEscapePath: true });
  const query: Record<string, string> = {};
  for (const [name, value] of target.searchParams) query[name] = value;
  const signed = await signer.presign(
    // S3 signs a presigned URL's payload as UNSIGNED-PAYLOAD, named in the query as the SDK's presigner names it.
    { method: options.method ?? 'GET', protocol: target.protocol, hostname: target.hostname, port: Number(target.port), path: target.pathname, query, headers: { host: target.host, 'X-Amz-Content-Sha256': 'UNSIGNED-PAYLOAD' } },
    { expiresIn: options.expiresIn, signingDate: options.signingDate },
  );
  const out = new URL(`${target.origin}${target.pathname}`);
  for (const [name, value] of Object.entries(signed.query ?? {})) out.searchParams.set(name, String(value));
  return out.toString();
}
