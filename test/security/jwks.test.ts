import { createPublicKey } from 'node:crypto';
import { SignJWT, UnsecuredJWT } from 'jose';
import { CloseCode, createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { REQUEST_UPLOAD } from '../helpers/operations.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { signingKey, signWith, startJwksServer, type JwksServer, type SigningKey } from '../unit/auth/jwks-server.js';
import { codesOf, post, unchangedBy } from './attack.js';

/** The stack verifying tokens against an identity provider's JWKS, attacked with tokens that provider never signed. */
describe('authentication attacks against JWKS mode', () => {
  let stack: Stack;
  let jwks: JwksServer;
  let rsa: SigningKey;
  let ec: SigningKey;

  beforeAll(async () => {
    [rsa, ec] = await Promise.all([signingKey('rsa-1', 'RS256'), signingKey('ec-1', 'ES256')]);
    jwks = await startJwksServer([rsa, ec]);
    stack = await startStack({ LFS_AUTH_JWKS_URL: jwks.url, LFS_AUTH_ISSUER: 'https://idp.test', LFS_PROMOTION_ENABLED: 'false' });
  });
  afterAll(async () => {
    await stack?.stop();
    await jwks?.close();
  });

  const upload = { query: REQUEST_UPLOAD, variables: { input: { name: 'x.bin', size: 10 } } };
  const hsSigned = (secret: string) =>
    new SignJWT({ roles: ['admin'] })
      .setProtectedHeader({ alg: 'HS256', kid: rsa.kid })
      .setSubject('mallory')
      .setIssuer('https://idp.test')
      .setAudience('lfs')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(secret));
  const publicPem = () => createPublicKey({ key: rsa.publicJwk as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' }) as string;

  it.each(['RS256', 'ES256'])('accepts a genuine %s token from the provider', async (alg) => {
    const { body } = await post(stack, `Bearer ${await signWith(alg === 'RS256' ? rsa : ec, { tenant: 'acme' })}`, upload);
    expect(body.errors).toBeUndefined();
    expect(body.data.requestUpload.file.owner).toBe('alice');
  });

  const forgeries: Array<[string, () => Promise<string>]> = [
    ['HS256 signed with the RSA public key PEM (HS/RS confusion)', () => hsSigned(publicPem())],
    ['HS256 signed with the public JWK JSON (HS/RS confusion)', () => hsSigned(JSON.stringify(rsa.publicJwk))],
    ['a key the provider does not publish, reusing its kid', async () => signWith({ ...(await signingKey('x')), kid: rsa.kid }, {})],
    ['alg none', async () => new UnsecuredJWT({}).setSubject('mallory').setIssuer('https://idp.test').setAudience('lfs').setExpirationTime('1h').encode()],
    ['a genuine key with the wrong issuer', () => signWith(rsa, {}, (jwt) => jwt.setIssuer('lfs'))],
    ['a genuine key with the wrong audience', () => signWith(rsa, {}, (jwt) => jwt.setAudience('other'))],
    ['a genuine key, expired', () => signWith(rsa, {}, (jwt) => jwt.setExpirationTime(Math.floor(Date.now() / 1000) - 60))],
  ];

  it.each(forgeries)('refuses %s over HTTP and creates nothing', async (_label, token) => {
    const { status, body } = await unchangedBy(stack, async () => post(stack, `Bearer ${await token()}`, upload));
    expect(status).toBe(401);
    expect(codesOf(body)).toEqual(['UNAUTHENTICATED']);
  });

  it.each(forgeries)('closes graphql-ws opened with %s (4403)', async (_label, token) => {
    let closedWith: number | undefined;
    const client = createClient({
      url: `${stack.app.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${await token()}` },
      on: { closed: (event) => void (closedWith = (event as { code: number }).code) },
    });
    try {
      await new Promise((resolve) => client.subscribe({ query: 'subscription { fileEvents { type } }' }, { next: resolve, error: resolve, complete: () => resolve(undefined) }));
      expect(closedWith).toBe(CloseCode.Forbidden);
    } finally {
      await client.dispose();
    }
  });
});
