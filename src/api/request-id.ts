import { randomUUID } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';

const HEADER = 'x-request-id';
/** Ids from a trusted proxy are kept when they look like ids; anything else is replaced. */
const acceptable = /^[A-Za-z0-9._:-]{1,128}$/;

export interface RequestIds {
  /** The id of an HTTP request (the caller's `x-request-id` when sane, else a fresh UUID). */
  of(request: Request): string;
  /** Echoes the id in the response so clients can quote it. */
  plugin: Plugin;
}

export function createRequestIds(): RequestIds {
  const ids = new WeakMap<Request, string>();
  const of = (request: Request) => {
    let id = ids.get(request);
    if (!id) {
      const incoming = request.headers.get(HEADER);
      id = incoming && acceptable.test(incoming) ? incoming : randomUUID();
      ids.set(request, id);
    }
    return id;
  };
  return {
    of,
    plugin: {
      onResponse({ request, response }) {
        response.headers.set(HEADER, of(request));
      },
    },
  };
}
