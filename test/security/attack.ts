import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import type { Client } from 'graphql-ws';
import { expect } from 'vitest';
import type { Stack } from '../helpers/stack.js';

export { awsRefusal } from '../../packages/local-aws/test/helpers/aws-errors.js';

/** What an attacker must not be able to change: every file row and every object in both buckets. */
export interface Snapshot {
  files: Array<{ id: string; owner: string; tenant: string; status: string; name: string; size: number; updated_at: number }>;
  dock: Array<{ key: string; etag: string }>;
  vault: Array<{ key: string; etag: string }>;
}

/** Reads the file table directly (read-only), so the check does not rely on the API under attack. */
function fileRows(stack: Stack): Snapshot['files'] {
  const db = new Database(join(stack.dataDir, 'lfs.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT id, owner, tenant, status, name, size, updated_at FROM files ORDER BY id').all() as Snapshot['files'];
  } finally {
    db.close();
  }
}

async function objects(stack: Stack, bucket: string): Promise<Snapshot['dock']> {
  const listed = await stack.rootS3().send(new ListObjectsV2Command({ Bucket: bucket }));
  return (listed.Contents ?? []).map((object) => ({ key: object.Key!, etag: object.ETag! })).sort((a, b) => a.key.localeCompare(b.key));
}

export async function snapshot(stack: Stack): Promise<Snapshot> {
  const { dockBucket, vaultBucket } = stack.app.config.storage;
  return { files: fileRows(stack), dock: await objects(stack, dockBucket), vault: await objects(stack, vaultBucket) };
}

/** Runs `attack` and asserts that files, dock and vault are exactly as before it. */
export async function unchangedBy<T>(stack: Stack, attack: () => Promise<T>): Promise<T> {
  const before = await snapshot(stack);
  const result = await attack();
  expect(await snapshot(stack)).toEqual(before);
  return result;
}

/** POSTs a GraphQL request with a raw Authorization header (or none); returns status and body. */
export async function post(stack: Stack, authorization: string | undefined, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${stack.app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, body: json, text, headers: response.headers };
}

/** The codes of a GraphQL response's errors. */
export const codesOf = (body: { errors?: Array<{ extensions?: { code?: string } }> }) => (body.errors ?? []).map((error) => error.extensions?.code);

/**
 * Subscribes and collects everything the subscription delivers until `until`
 * settles, then disposes it. Returns the events and the error, if any.
 */
export async function subscribeDuring(client: Client, query: string, variables: Record<string, unknown>, until: Promise<unknown>) {
  const events: any[] = [];
  let error: unknown;
  const dispose = client.subscribe({ query, variables }, { next: (value) => void events.push(value), error: (caught) => void (error = caught), complete: () => {} });
  await until;
  dispose();
  return { events, error };
}

/** A running subscription that keeps every event; `waitFor(n)` resolves once n have arrived. */
export function collect(client: Client, query: string, variables: Record<string, unknown> = {}) {
  const events: any[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  let error: unknown;
  const dispose = client.subscribe(
    { query, variables },
    {
      next: (value) => {
        events.push(value);
        for (const waiter of waiters.filter((w) => events.length >= w.count)) waiter.resolve();
      },
      error: (caught) => void (error = caught),
      complete: () => {},
    },
  );
  return {
    events,
    get error() {
      return error;
    },
    waitFor: (count: number) => (events.length >= count ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ count, resolve }))),
    dispose,
  };
}
