import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { Client } from 'graphql-ws';
import { beforeEach, describe, expect, it } from 'vitest';
import { collect, listen, servedApi, type Result, type TestApi } from './harness.js';

const FILE_AVAILABLE = 'subscription ($fileId: ID) { fileAvailable(fileId: $fileId) { id owner status availableAt } }';
const FILE_EVENTS = 'subscription ($fileId: ID) { fileEvents(fileId: $fileId) { type at file { id status } } }';

describe('subscriptions', () => {
  const served = servedApi();
  let t: TestApi;
  let http: Awaited<ReturnType<typeof listen>>;
  beforeEach(() => ({ t, http } = served));
  const connect = (authorization?: string): Client => served.connect(authorization);


  describe('graphql-ws', () => {
    it.each([
      ['no token', undefined],
      ['a bad token', 'Bearer bad.token.here'],
    ])('closes the connection with 4403 for %s', async (_label, authorization) => {
      const subscription = collect(connect(authorization), FILE_AVAILABLE);
      const error = (await subscription.errored) as { code: number; reason: string };
      expect(error.code).toBe(4403);
      expect(error.reason).toBe('Forbidden');
    });

    it('delivers fileAvailable to the owner and not to another user', async () => {
      const alice = collect(connect(`Bearer ${await t.token('alice')}`), FILE_AVAILABLE);
      const bob = collect(connect(`Bearer ${await t.token('bob')}`), FILE_AVAILABLE);
      await t.events.listening(2);

      const alicesFile = await t.seed({ owner: 'alice', status: 'PROMOTING' });
      const bobsFile = await t.seed({ owner: 'bob', status: 'PROMOTING' });
      await t.publishTransition(alicesFile.id, 'PROMOTING', 'AVAILABLE');
      await t.publishTransition(bobsFile.id, 'PROMOTING', 'AVAILABLE');

      expect(await alice.next()).toEqual({ data: { fileAvailable: { id: alicesFile.id, owner: 'alice', status: 'AVAILABLE', availableAt: expect.any(String) } } });
      // Bob's first event is his own file: Alice's, published before it, was filtered out.
      expect((await bob.next()).data?.fileAvailable).toMatchObject({ id: bobsFile.id, owner: 'bob' });
      // Nor does Alice get Bob's.
      const alicesSecond = await t.seed({ owner: 'alice', status: 'PROMOTING' });
      await t.publishTransition(alicesSecond.id, 'PROMOTING', 'AVAILABLE');
      expect((await alice.next()).data?.fileAvailable).toMatchObject({ id: alicesSecond.id });
    });

    it('lets an admin of the tenant watch every file, and filters by file id', async () => {
      const admin = collect(connect(`Bearer ${await t.token('root', { admin: true })}`), FILE_EVENTS);
      const watched = await t.seed({ owner: 'alice' });
      const other = await t.seed({ owner: 'alice' });
      const one = collect(connect(`Bearer ${await t.token('alice')}`), FILE_EVENTS, { fileId: watched.id });
      await t.events.listening(2);

      await t.publishTransition(other.id, 'AWAITING_UPLOAD', 'PROMOTING');
      await t.publishTransition(watched.id, 'AWAITING_UPLOAD', 'PROMOTING');
      await t.publishTransition(watched.id, 'PROMOTING', 'FAILED');

      expect((await one.next()).data?.fileEvents).toMatchObject({ type: 'STATUS_CHANGED', file: { id: watched.id, status: 'PROMOTING' } });
      expect((await one.next()).data?.fileEvents).toMatchObject({ type: 'FAILED', file: { id: watched.id, status: 'FAILED' } });
      const adminSaw = [await admin.next(), await admin.next(), await admin.next()].map((result) => result.data?.fileEvents.file.id);
      expect(adminSaw).toEqual([other.id, watched.id, watched.id]);
    });

    it('runs queries and mutations over the socket with the connection’s caller', async () => {
      const client = connect(`Bearer ${await t.token('alice')}`);
      const result = await new Promise<Result>((resolve, reject) => {
        client.subscribe({ query: 'mutation { requestUpload(input: { name: "ws.bin", size: 3 }) { file { owner name } } }' }, { next: resolve, error: reject, complete: () => {} });
      });
      expect(result.data).toEqual({ requestUpload: { file: { owner: 'alice', name: 'ws.bin' } } });
    });

    it('answers a syntax error without closing the connection', async () => {
      const client = connect(`Bearer ${await t.token('alice')}`);
      const error = await new Promise<unknown>((resolve) => {
        client.subscribe({ query: 'subscription {' }, { next: () => {}, error: resolve, complete: () => {} });
      });
      expect(JSON.stringify(error)).toMatch(/Syntax Error/);
    });
  });

  describe('server-sent events', () => {
    async function open(token: string | undefined, query: string) {
      const controller = new AbortController();
      const response = await fetch(http.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query }),
        signal: controller.signal,
      });
      return { response, controller };
    }

    it('streams fileAvailable to the owner as text/event-stream', async () => {
      const { response, controller } = await open(await t.token('alice'), 'subscription { fileAvailable { id status } }');
      try {
        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toContain('text/event-stream');
        const messages: EventSourceMessage[] = [];
        let received: () => void = () => {};
        const gotNext = new Promise<void>((resolve) => (received = resolve));
        const parser = createParser({
          onEvent: (message) => {
            messages.push(message);
            if (message.event === 'next') received();
          },
        });
        const reading = (async () => {
          const decoder = new TextDecoder();
          const reader = response.body!.getReader();
          for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) parser.feed(decoder.decode(chunk.value, { stream: true }));
        })().catch(() => {});

        await t.events.listening(1);
        const file = await t.seed({ owner: 'alice', status: 'PROMOTING' });
        await t.publishTransition(file.id, 'PROMOTING', 'AVAILABLE');
        await gotNext;
        const next = messages.find((message) => message.event === 'next')!;
        expect(JSON.parse(next.data)).toEqual({ data: { fileAvailable: { id: file.id, status: 'AVAILABLE' } } });
        controller.abort();
        await reading;
      } finally {
        controller.abort();
      }
    });

    it('refuses an SSE subscription without a token', async () => {
      const { response, controller } = await open(undefined, 'subscription { fileAvailable { id } }');
      try {
        const text = await response.text();
        expect(text).toContain('UNAUTHENTICATED');
        expect(t.events.listeners).toBe(0);
      } finally {
        controller.abort();
      }
    });
  });
});
