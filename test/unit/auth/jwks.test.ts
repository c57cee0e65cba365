import { createPublicKey } from 'node:crypto';
import { SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthenticator, type Authenticator } from '../../../src/auth/index.js';
import { LfsError } from '../../../src/errors.js';
import { signingKey, signWith, startJwksServer, type JwksServer, type SigningKey } from './jwks-server.js';

const issuer = 'https://idp.test';
const audience = 'lfs';
const now = () => Math.floor(Date.now() / 1000);

async function refused(auth: Authenticator, token: string) {
  const error = await auth.authenticate(`Bearer ${token}`).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(LfsError);
  expect((error as LfsError).extensions.code).toBe('UNAUTHENTICATED');
}

describe('authenticator with a JWKS URL', () => {
  let jwks: JwksServer;
  let rsa: SigningKey;
  let ec: SigningKey;
  let auth: Authenticator;

  beforeAll(async () => {
    [rsa, ec] = await Promise.all([signingKey('rsa-1', 'RS256'), signingKey('ec-1', 'ES256')]);
    jwks = await startJwksServer([rsa, ec]);
    auth = createAuthenticator({ keys: { kind: 'jwks', url: jwks.url, cooldownMs: 0 }, issuer, audience, clockToleranceSeconds: 0 });
  });
  afterAll(async () => {
    await jwks.close();
  });

  it.each(['RS256', 'ES256'] as const)('accepts a %s token from the key set and maps its claims', async (alg) => {
    const key = alg === 'RS256' ? rsa : ec;
    const token = await signWith(key, { tenant: 'acme', roles: ['admin'] });
    await expect(auth.authenticate(`Bearer ${token}`)).resolves.toEqual({ subject: 'alice', tenant: 'acme', admin: true });
  });

  it('fetches the key set once and serves later tokens from the cache', async () => {
    const cached = createAuthenticator({ keys: { kind: 'jwks', url: jwks.url }, issuer, audience });
    const before = jwks.fetches;
    for (let i = 0; i < 5; i++) await cached.authenticate(`Bearer ${await signWith(rsa, {})}`);
    expect(jwks.fetches - before).toBe(1);
  });

  it('picks up a rotated key by its kid', async () => {
    const rotating = await startJwksServer([rsa]);
    try {
      const verifier = createAuthenticator({ keys: { kind: 'jwks', url: rotating.url, cooldownMs: 0 }, issuer, audience });
      await verifier.authenticate(`Bearer ${await signWith(rsa, {})}`);
      const next = await signingKey('rsa-2');
      rotating.keys = [next];
      // An unknown kid makes the verifier re-fetch and find the new key...
      await expect(verifier.authenticate(`Bearer ${await signWith(next, {})}`)).resolves.toMatchObject({ subject: 'alice' });
      // ...and the retired key no longer verifies once the set has been re-read.
      await refused(verifier, await signWith(rsa, {}));
      await refused(verifier, await signWith({ ...rsa, kid: 'rsa-2' }, {}));
    } finally {
      await rotating.close();
    }
  });

  it('refuses a key the set does not hold', async () => {
    await refused(auth, await signWith(await signingKey('rsa-1'), {}));
  });

  it.each([
    ['wrong issuer', (jwt: SignJWT) => jwt.setIssuer('https://evil.test')],
    ['wrong audience', (jwt: SignJWT) => jwt.setAudience('other')],
    ['expired', (jwt: SignJWT) => jwt.setExpirationTime(now() - 5)],
    ['not yet valid', (jwt: SignJWT) => jwt.setNotBefore(now() + 300)],
  ])('refuses a token with %s', async (_label, mutate) => {
    await refused(auth, await signWith(rsa, {}, mutate));
  });

  it('refuses alg none', async () => {
    await refused(auth, new UnsecuredJWT({}).setSubject('alice').setIssuer(issuer).setAudience(audience).setExpirationTime('1h').encode());
  });

  it.each([
    ['the PEM of the public key', () => createPublicKey({ key: rsa.publicJwk as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' }) as string],
    ['the JWK JSON of the public key', () => JSON.stringify(rsa.publicJwk)],
    ['the modulus of the public key', () => rsa.publicJwk.n!],
  ])('refuses an HS256 token signed with %s (HS/RS confusion)', async (_label, secretOf) => {
    const forged = await new SignJWT({ roles: ['admin'] })
      .setProtectedHeader({ alg: 'HS256', kid: rsa.kid })
      .setSubject('mallory')
      .setIssuer(issuer)
      .setAudience(audience)
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(secretOf()));
    await refused(auth, forged);
  });

  it('refuses an algorithm the configuration does not allow', async () => {
    const rsOnly = createAuthenticator({ keys: { kind: 'jwks', url: jwks.url, algorithms: ['RS256'] }, issuer, audience });
    await refused(rsOnly, await signWith(ec, {}));
  });

  it('will not be configured with a symmetric algorithm for a JWKS', () => {
    expect(() => createAuthenticator({ keys: { kind: 'jwks', url: jwks.url, algorithms: ['HS256'] }, issuer, audience })).toThrow(/asymmetric/);
  });

  it('refuses tokens while the JWKS host is unreachable, without leaking why', async () => {
    const down = createAuthenticator({ keys: { kind: 'jwks', url: 'http://127.0.0.1:9/jwks.json', timeoutMs: 500 }, issuer, audience });
    await refused(down, await signWith(rsa, {}));
  });
});
