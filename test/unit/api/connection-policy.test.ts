import { once } from 'node:events';
import { createClient, type Client } from 'graphql-ws';
import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { mintToken } from '../../../src/auth/index.js';
import { createTestApi, listen, secret, type TestApi } from './harness.js';
import { WAIT_TIMEOUT_MS } from '../../helpers/waits.js';

const FILE_EVENTS = 'subscription { fileEvents { type file { id } } }';

describe('subscription connection policy', () => {
  let t: TestApi;
  let http: Awaited<ReturnType<typeof listen>>;
  const clients: Client[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.dispose()));
    await http.close();
    await t.close();
  });

  async function start(env: Record<string, string> = {}) {
    t = await createTestApi(env);
    http = await listen(t.api);
  }

  /** A client whose socket close event (code) is reported by `closed`. */
  function connect(token: string) {
    let resolveClosed!: (code: number) => void;
    const closed = new Promise<number>((resolve) => (resolveClosed = resolve));
    const client = createClient({
      url: http.url.replace('http', 'ws'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${token}` },
      on: { closed: (event) => resolveClosed((event as { code: number }).code) },
    });
    clients.push(client);
    return { client, closed };
  }

  it('closes a live subscription with 4401 when its token expires', async () => {
    await start();
    const token = await mintToken(secret, { sub: 'alice', issuer: t.config.auth.issuer, audience: t.config.auth.audience, expiresIn: 2 });
    const { client, closed } = connect(token);
    const errors: unknown[] = [];
    client.subscribe({ query: FILE_EVENTS }, { next: () => {}, error: (error) => errors.push(error), complete: () => {} });
    expect(await closed).toBe(4401);
    // The server side of the subscription is torn down too.
    await vi.waitFor(() => expect(t.events.listeners).toBe(0), { timeout: WAIT_TIMEOUT_MS });
  });

  it('ends an SSE subscription with UNAUTHENTICATED when its token expires', async () => {
    await start();
    const token = await mintToken(secret, { sub: 'alice', issuer: t.config.auth.issuer, audience: t.config.auth.audience, expiresIn: 2 });
    const response = await fetch(http.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: FILE_EVENTS }),
    });
    // The stream ends by itself; reading it to the end is the wait.
    const text = await response.text();
    expect(text).toContain('"code":"UNAUTHENTICATED"');
    expect(text).toContain('event: complete');
    await vi.waitFor(() => expect(t.events.listeners).toBe(0), { timeout: WAIT_TIMEOUT_MS });
  });

  it('closes with 4403 at connect when the token is bad', async () => {
    await start();
    const { client, closed } = connect('not-a-token');
    client.subscribe({ query: FILE_EVENTS }, { next: () => {}, error: () => {}, complete: () => {} });
    expect(await closed).toBe(4403);
  });

  it('closes a socket that never sends connection_init (4408)', async () => {
    await start({ LFS_WS_INIT_TIMEOUT_SECONDS: '1' });
    const socket = new WebSocket(http.url.replace('http', 'ws'), 'graphql-transport-ws');
    await once(socket, 'open');
    const [code] = (await once(socket, 'close')) as [number];
    expect(code).toBe(4408);
  });

  it('closes a socket that sends a message over the size limit (1009)', async () => {
    await start({ LFS_MAX_BODY_BYTES: '4096' });
    const socket = new WebSocket(http.url.replace('http', 'ws'), 'graphql-transport-ws');
    await once(socket, 'open');
    socket.send(JSON.stringify({ type: 'connection_init', payload: { pad: 'x'.repeat(8192) } }));
    const [code] = (await once(socket, 'close')) as [number];
    expect(code).toBe(1009);
  });

  it('runs at most LFS_WS_MAX_SUBSCRIPTIONS subscriptions per connection: the next is refused (RATE_LIMITED), the others go on, and completing one frees a place', async () => {
    await start({ LFS_WS_MAX_SUBSCRIPTIONS: '3' });
    const { client } = connect(await t.token('alice'));
    const received: string[][] = [[], [], [], []];
    const subscribe = (index: number) =>
      client.subscribe<{ fileEvents: { file: { id: string } } }>({ query: FILE_EVENTS }, { next: (result) => void received[index].push(result.data!.fileEvents.file.id), error: () => {}, complete: () => {} });
    const disposers = [0, 1, 2].map(subscribe);
    await t.events.listening(3);

    // Without a limit the fourth would simply start listening.
    const refusal = await Promise.race([
      new Promise<unknown>((resolve) => client.subscribe({ query: FILE_EVENTS }, { next: resolve, error: resolve, complete: () => {} })),
      t.events.listening(4).then(() => 'subscribed'),
    ]);
    expect(refusal).toEqual([expect.objectContaining({ message: expect.stringMatching(/at most 3 /), extensions: { code: 'RATE_LIMITED' } })]);
    const first = await t.seed({ owner: 'alice' });
    await t.publishTransition(first.id, 'AWAITING_UPLOAD', 'PROMOTING');
    await vi.waitFor(() => expect(received.slice(0, 3)).toEqual([[first.id], [first.id], [first.id]]), { timeout: WAIT_TIMEOUT_MS });

    disposers[0]();
    await vi.waitFor(() => expect(t.events.listeners).toBe(2), { timeout: WAIT_TIMEOUT_MS });
    subscribe(3);
    await t.events.listening(3);
    const second = await t.seed({ owner: 'alice' });
    await t.publishTransition(second.id, 'AWAITING_UPLOAD', 'PROMOTING');
    await vi.waitFor(() => expect(received).toEqual([[first.id], [first.id, second.id], [first.id, second.id], [second.id]]), { timeout: WAIT_TIMEOUT_MS });
  });

  it('applies the document limits to operations over the socket too', async () => {
    await start({ LFS_GRAPHQL_MAX_ALIASES: '1' });
    const { client } = connect(await t.token('alice'));
    const result = await new Promise<unknown>((resolve) =>
      client.subscribe({ query: '{ a: file(id: "1") { id } b: file(id: "2") { id } }' }, { next: resolve, error: resolve, complete: () => {} }),
    );
    expect(JSON.stringify(result)).toMatch(/alias/i);
  });
});
