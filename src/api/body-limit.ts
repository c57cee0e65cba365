import type { Plugin } from 'graphql-yoga';
import { errorCodes } from '../errors.js';

/**
 * yoga reads whole request bodies into memory and limits none, so this
 * plugin does: a declared Content-Length over `maxBytes` is refused before a
 * byte is read, and a chunked body is counted as it streams and refused the
 * moment it passes the limit. Either way the answer is 413 PAYLOAD_TOO_LARGE.
 */
export function useBodyLimit(maxBytes: number): Plugin {
  const tooLarge = () =>
    new Response(
      JSON.stringify({
        errors: [{ message: `Request body exceeds ${maxBytes} bytes`, extensions: { code: 'PAYLOAD_TOO_LARGE' } }],
      }),
      { status: errorCodes.PAYLOAD_TOO_LARGE.http, headers: { 'content-type': 'application/json; charset=utf-8', connection: 'close' } },
    );

  return {
    onRequestParse({ request, requestParser, setRequestParser, endResponse }) {
      if (!requestParser || request.method === 'GET' || request.method === 'HEAD') return;
      const declared = Number(request.headers.get('content-length') ?? NaN);
      if (declared > maxBytes) {
        endResponse(tooLarge());
        return;
      }
      setRequestParser(async (incoming) => {
        const body = await readAtMost(incoming, maxBytes);
        if (body === undefined) return tooLarge();
        return requestParser(new Request(incoming.url, { method: incoming.method, headers: incoming.headers, body }));
      });
    },
  };
}

/** The whole body, or undefined as soon as it passes `maxBytes` (the rest is never read). */
async function readAtMost(request: Request, maxBytes: number): Promise<Blob | undefined> {
  if (!request.body) return new Blob([]);
  const reader = request.body.getReader();
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value as Uint8Array<ArrayBuffer>);
  }
  return new Blob(chunks);
}
