import { once } from 'node:events';
import { SignJWT, UnsecuredJWT } from 'jose';
import { CloseCode, createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { REQUEST_UPLOAD } from '../helpers/operations.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { codesOf, post, unchangedBy } from './attack.js';

/**
 * Forged, stale and malformed tokens against the real stack (HS256 mode),
 * over HTTP, SSE and graphql-ws. Each attempt is refused and changes nothing.
 */
describe('authentication attacks', () => {
  let stack: Stack;
  let key: Uint8Array;
  const now = () => Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    stack = await startStack({ LFS_PROMOTION_ENABLED: 'false' });
    key = new TextEncoder().encode(stack.app.authSecret);
  });
  afterAll(() => stack?.stop());

  /** A token like a good one, with one thing changed by `mutate`. */
  const forge = (mutate: (jwt: SignJWT) => SignJWT, signingKey: Uint8Array = key, claims: Record<string, unknown> = {}, alg = 'HS256') =>
    mutate(
      new SignJWT({ roles: ['admin'], ...claims })
        .setProtectedHeader({ alg })
        .setSubject('mallory')
        .setIssuer(stack.app.config.auth.issuer)
        .setAudience(stack.app.config.auth.audience)
        .setExpirationTime('1h'),
    ).sign(signingKey);

  const upload = { query: REQUEST_UPLOAD, variables: { input: { name: 'loot.bin', size: 100 } } };

  const attacks: Array<[string, () => Promise<string | undefined>]> = [
    ['no token', async () => undefined],
    ['an empty bearer', async () => 'Bearer '],
    ['another scheme', async () => 'Basic bWFsbG9yeTpwdw=='],
    ['a malformed token', async () => 'Bearer not.a.jwt'],
    ['a token with two parts', async () => `Bearer ${(await forge((jwt) => jwt)).split('.').slice(0, 2).join('.')}`],
    ['a wrong signature', async () => `Bearer ${await forge((jwt) => jwt, new TextEncoder().encode('a-guessed-secret-of-sufficient-length-0123'))}`],
    [
      'a tampered payload',
      async () => {
        const [header, , signature] = (await stack.token('mallory')).split('.');
        const payload = Buffer.from(JSON.stringify({ sub: 'alice', roles: ['admin'], iss: 'lfs', aud: 'lfs', exp: now() + 600 })).toString('base64url');
        return `Bearer ${header}.${payload}.${signature}`;
      },
    ],
    ['a wrong issuer', async () => `Bearer ${await forge((jwt) => jwt.setIssuer('https://evil.example'))}`],
    ['a wrong audience', async () => `Bearer ${await forge((jwt) => jwt.setAudience('another-service'))}`],
    ['an expired token', async () => `Bearer ${await forge((jwt) => jwt.setExpirationTime(now() - 60))}`],
    ['a token not valid yet', async () => `Bearer ${await forge((jwt) => jwt.setNotBefore(now() + 600))}`],
    ['a token without exp', async () => `Bearer ${await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('mallory').setIssuer('lfs').setAudience('lfs').sign(key)}`],
    ['alg none', async () => `Bearer ${new UnsecuredJWT({ roles: ['admin'] }).setSubject('mallory').setIssuer('lfs').setAudience('lfs').setExpirationTime('1h').encode()}`],
    ['HS512 with the right secret', async () => `Bearer ${await forge((jwt) => jwt, key, {}, 'HS512')}`],
    ['an empty subject', async () => `Bearer ${await forge((jwt) => jwt.setSubject(''))}`],
    ['a non-string tenant', async () => `Bearer ${await forge((jwt) => jwt, key, { tenant: ['acme', 'other'] })}`],
  ];

  it.each(attacks)('refuses %s over HTTP with UNAUTHENTICATED and creates nothing', async (_label, authorization) => {
    const header = await authorization();
    const { status, body } = await unchangedBy(stack, () => post(stack, header, upload));
    expect(codesOf(body)).toEqual(['UNAUTHENTICATED']);
    expect(body.data?.requestUpload ?? null).toBeNull();
    // A header that is present but bad fails the whole request.
    if (header !== undefined) expect(status).toBe(401);
  });

  it.each(attacks.filter(([label]) => label !== 'no token'))('refuses %s for an SSE subscription', async (_label, authorization) => {
    const response = await fetch(`${stack.app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: (await authorization())! },
      body: JSON.stringify({ query: 'subscription { fileEvents { type } }' }),
    });
    const text = await response.text();
    expect(text).toContain('UNAUTHENTICATED');
    expect(text).not.toContain('"type"');
  });

  it.each(attacks)('closes a graphql-ws connection made with %s (4403)', async (_label, authorization) => {
    const header = await authorization();
    let closedWith: number | undefined;
    const client = createClient({
      url: `${stack.app.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: header === undefined ? {} : { authorization: header },
      on: { closed: (event) => void (closedWith = (event as { code: number }).code) },
    });
    try {
      const outcome = await new Promise<unknown>((resolve) =>
        client.subscribe({ query: 'subscription { fileEvents { type } }' }, { next: resolve, error: resolve, complete: () => resolve('complete') }),
      );
      expect(outcome).not.toHaveProperty('data');
      expect(closedWith).toBe(CloseCode.Forbidden);
    } finally {
      await client.dispose();
    }
  });

  it('closes a graphql-ws connection with 4401 when its token expires mid-subscription', async () => {
    const token = await stack.token('alice', { expiresIn: 2 });
    const socket = new WebSocket(`${stack.app.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
    await once(socket, 'open');
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
    const [ack] = (await once(socket, 'message')) as [Buffer];
    expect(JSON.parse(ack.toString()).type).toBe('connection_ack');
    socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 'subscription { fileEvents { type } }' } }));
    const [code] = (await once(socket, 'close')) as [number];
    expect(code).toBe(CloseCode.Unauthorized);
  });

  it('accepts the genuine token (the attacks above fail for their flaw, not for everything)', async () => {
    const { body } = await post(stack, `Bearer ${await stack.token('alice')}`, upload);
    expect(body.errors).toBeUndefined();
    expect(body.data.requestUpload.file.owner).toBe('alice');
  });
});
