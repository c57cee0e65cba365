import { createParser } from 'eventsource-parser';
import type { Client } from 'graphql-ws';
import { beforeEach, describe, expect, it } from 'vitest';
import type { FileStatus } from '../../../src/files/model.js';
import { collect, listen, servedApi, type TestApi } from './harness.js';

const FILE_AVAILABLE = 'subscription ($fileId: ID) { fileAvailable(fileId: $fileId) { id status } }';
const FILE_EVENTS = 'subscription ($fileId: ID) { fileEvents(fileId: $fileId) { type at file { id status failureReason } } }';
const UPLOAD_CREDENTIALS = 'subscription ($fileId: ID!, $expiration: DateTime) { uploadCredentials(fileId: $fileId, expiration: $expiration) { accessKeyId expiration } }';

describe('subscriptions to one file deliver its final state first', () => {
  const served = servedApi();
  let t: TestApi;
  let http: Awaited<ReturnType<typeof listen>>;
  beforeEach(() => ({ t, http } = served));

  const connect = async (sub: string, options: { admin?: boolean } = {}): Promise<Client> => served.connect(`Bearer ${await t.token(sub, options)}`);

  it('fileAvailable opened after the file became AVAILABLE delivers it at once (graphql-ws)', async () => {
    const file = await t.seed({ owner: 'alice', status: 'AVAILABLE' });
    const available = collect(await connect('alice'), FILE_AVAILABLE, { fileId: file.id });
    expect(await available.next()).toEqual({ data: { fileAvailable: { id: file.id, status: 'AVAILABLE' } } });
  });

  it.each<FileStatus>(['AVAILABLE', 'FAILED', 'CANCELLED', 'EXPIRED'])('fileEvents opened after the file became %s delivers that state at once', async (status) => {
    const file = await t.seed({ owner: 'alice', status });
    const events = collect(await connect('alice'), FILE_EVENTS, { fileId: file.id });
    const { data } = await events.next();
    expect(data?.fileEvents).toMatchObject({ type: status === 'AVAILABLE' || status === 'FAILED' ? status : 'STATUS_CHANGED', file: { id: file.id, status } });
    expect(Date.parse(data?.fileEvents.at)).toBe(file.updatedAt.getTime());
  });

  it('fileAvailable opened after the file became AVAILABLE delivers it at once (SSE)', async () => {
    const file = await t.seed({ owner: 'alice', status: 'AVAILABLE' });
    const controller = new AbortController();
    try {
      const response = await fetch(http.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${await t.token('alice')}` },
        body: JSON.stringify({ query: FILE_AVAILABLE, variables: { fileId: file.id } }),
        signal: controller.signal,
      });
      const first = await new Promise<string>((resolve, reject) => {
        const parser = createParser({ onEvent: (message) => message.event === 'next' && resolve(message.data) });
        const decoder = new TextDecoder();
        (async () => {
          for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) parser.feed(decoder.decode(chunk, { stream: true }));
        })().catch(reject);
      });
      expect(JSON.parse(first)).toEqual({ data: { fileAvailable: { id: file.id, status: 'AVAILABLE' } } });
    } finally {
      controller.abort();
    }
  });

  it('a transition published between the subscription and the look is delivered once', async () => {
    const file = await t.seed({ owner: 'alice', status: 'PROMOTING' });
    // The subscription listens already when the file is read (so nothing published after the look is lost), and
    // an event published now lands in both.
    let listening = 0;
    t.uploads.beforeGet = async (fileId) => {
      t.uploads.beforeGet = undefined;
      listening = t.events.listeners;
      await t.publishTransition(fileId, 'PROMOTING', 'AVAILABLE');
    };
    const events = collect(await connect('alice'), FILE_EVENTS, { fileId: file.id });
    expect((await events.next()).data?.fileEvents).toMatchObject({ type: 'AVAILABLE', file: { id: file.id, status: 'AVAILABLE' } });
    expect(listening).toBe(1);
    // What comes next is a later event, not the same transition again.
    const available = (await t.repository.get(file.id))!;
    t.pubsub.publish('fileEvents', { type: 'FAILED', file: { ...available, status: 'FAILED', failureReason: 'marker' }, at: new Date() });
    expect((await events.next()).data?.fileEvents.file.failureReason).toBe('marker');
  });

  it('replays nothing of a file the caller may not see', async () => {
    const file = await t.seed({ owner: 'alice', status: 'AVAILABLE' });
    const own = await t.seed({ owner: 'bob', status: 'PROMOTING' });
    let reads = 0;
    const bothRead = new Promise<void>((resolve) => (t.uploads.beforeGet = async () => void (++reads === 2 && resolve())));
    const bob = await connect('bob');
    const spy = collect(bob, FILE_EVENTS, { fileId: file.id });
    const mine = collect(bob, FILE_EVENTS, { fileId: own.id });
    await bothRead;
    await t.publishTransition(own.id, 'PROMOTING', 'AVAILABLE');
    expect((await mine.next()).data?.fileEvents.file.id).toBe(own.id);
    expect(await Promise.race([spy.next(), new Promise((resolve) => setTimeout(() => resolve('nothing'), 200))])).toBe('nothing');
  });
});

describe('uploadCredentials: fresh credentials pushed before the current ones expire', () => {
  const served = servedApi();
  let t: TestApi;
  beforeEach(() => ({ t } = served));

  const connect = async (sub: string, options: { admin?: boolean } = {}): Promise<Client> => served.connect(`Bearer ${await t.token(sub, options)}`);

  it('pushes to the owner before the credentials it holds expire, and ends when the file leaves AWAITING_UPLOAD', async () => {
    const file = await t.seed({ owner: 'alice' });
    // Held credentials with 2 s left: the push comes three quarters of that before expiry, about 0.5 s from now.
    const started = Date.now();
    const pushes = collect(await connect('alice'), UPLOAD_CREDENTIALS, { fileId: file.id, expiration: new Date(started + 2000).toISOString() });
    const { data } = await pushes.next();
    expect(data?.uploadCredentials.accessKeyId).toBe('ASIATEST2');
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    expect(Date.now() - started).toBeLessThan(1900);
    await t.publishTransition(file.id, 'AWAITING_UPLOAD', 'PROMOTING');
    await pushes.completed;
  });

  it.each([
    ['another user', 'bob', {}],
    ['an admin of the tenant', 'root', { admin: true }],
  ] as const)('refuses %s with NOT_FOUND', async (_label, sub, options) => {
    const file = await t.seed({ owner: 'alice' });
    const pushes = collect(await connect(sub, options), UPLOAD_CREDENTIALS, { fileId: file.id });
    // graphql-ws answers a subscription refused at its start with a result carrying the error.
    expect((await pushes.next()).errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });

  it('refuses a file that is no longer AWAITING_UPLOAD with CONFLICT', async () => {
    const file = await t.seed({ owner: 'alice', status: 'AVAILABLE' });
    const pushes = collect(await connect('alice'), UPLOAD_CREDENTIALS, { fileId: file.id });
    expect((await pushes.next()).errors?.[0].extensions?.code).toBe('CONFLICT');
  });
});
