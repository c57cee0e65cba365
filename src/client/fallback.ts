import { LfsError, type LfsErrorCode } from './errors.js';
import { aborted } from './retry.js';
import type { Source } from './source.js';

export interface FallbackPut {
  /** The GraphQL URL: the route is `uploads/<fileId>` beside it. */
  url: string;
  fileId: string;
  source: Source;
  token: string;
  fetch: typeof fetch;
  signal: AbortSignal;
}

/**
 * `PUT /uploads/<fileId>`: LFS streams the body into the dock itself, for a
 * client that cannot reach the dock (a firewall, a proxy, a CORS rule that
 * leaves its origin out). One request, so no resume: a stopped fallback
 * upload starts over.
 */
export async function putThroughLfs({ url, fileId, source, token, fetch, signal }: FallbackPut): Promise<void> {
  const target = new URL(`uploads/${encodeURIComponent(fileId)}`, url);
  let response: Response;
  try {
    response = await fetch(target, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
      body: source.body() as BodyInit,
      signal,
    });
  } catch (error) {
    if (signal.aborted) throw aborted(signal, fileId);
    throw new LfsError('NETWORK', `neither the dock nor LFS's fallback at ${target.href} could be reached: ${(error as Error).message}`, { fileId, cause: error });
  }
  if (response.ok) return;
  const answer = (await response.json().catch(() => ({}))) as { error?: { code?: LfsErrorCode; message?: string } };
  throw new LfsError(answer.error?.code ?? 'INTERNAL', answer.error?.message ?? `the fallback upload answered ${response.status}`, { fileId });
}
