import { SignJWT, UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { createAuthenticator, mintToken } from '../../../src/auth/index.js';
import { LfsError } from '../../../src/errors.js';

const secret = 'a-test-secret-that-is-long-enough-0123456789';
const issuer = 'lfs';
const audience = 'lfs';
const auth = createAuthenticator({ secret, issuer, audience, clockToleranceSeconds: 0 });
const key = new TextEncoder().encode(secret);
const now = () => Math.floor(Date.now() / 1000);

function signed(claims: Record<string, unknown>, mutate: (jwt: SignJWT) => SignJWT = (jwt) => jwt, signingKey = key) {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject('alice').setIssuer(issuer).setAudience(audience).setExpirationTime('1h');
  return mutate(jwt).sign(signingKey);
}

async function rejection(header: string | undefined) {
  const error = await auth.authenticate(header).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(LfsError);
  expect((error as LfsError).extensions.code).toBe('UNAUTHENTICATED');
}

describe('authenticator', () => {
  it('accepts a minted token and maps its claims to a Caller', async () => {
    const token = await mintToken(secret, { sub: 'alice', tenant: 'acme', issuer, audience, expiresIn: 60 });
    await expect(auth.authenticate(`Bearer ${token}`)).resolves.toEqual({ subject: 'alice', tenant: 'acme', admin: false });
  });

  it.each([
    [{}, { subject: 'alice', tenant: 'default', admin: false }],
    [{ roles: ['reader', 'admin'] }, { subject: 'alice', tenant: 'default', admin: true }],
    [{ roles: 'reader admin', tenant: 't1' }, { subject: 'alice', tenant: 't1', admin: true }],
    // Only the roles claim makes an admin: a stray boolean is not a role.
    [{ admin: true }, { subject: 'alice', tenant: 'default', admin: false }],
    [{ roles: ['administrator'] }, { subject: 'alice', tenant: 'default', admin: false }],
    [{ roles: [{ admin: true }] }, { subject: 'alice', tenant: 'default', admin: false }],
  ])('maps claims %j to %j', async (claims, caller) => {
    await expect(auth.authenticate(`Bearer ${await signed(claims)}`)).resolves.toEqual(caller);
  });

  it('mints admin tokens with the admin role and accepts a lowercase scheme', async () => {
    const token = await mintToken(secret, { sub: 'root', admin: true, issuer, audience, expiresIn: '5m' });
    await expect(auth.authenticate(`bearer ${token}`)).resolves.toEqual({ subject: 'root', tenant: 'default', admin: true });
  });

  it('rejects a missing or empty header', async () => {
    await rejection(undefined);
    await rejection('');
  });

  it.each(['Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', 'Bearer not a jwt', 'Bearer abc.def.ghi', 'Token x.y.z'])('rejects the malformed header %j', async (header) => {
    await rejection(header);
  });

  it('rejects a wrong signature', async () => {
    await rejection(`Bearer ${await signed({}, undefined, new TextEncoder().encode('another-secret-entirely-0123456789-abcdef'))}`);
  });

  it('rejects a tampered payload', async () => {
    const [header, , signature] = (await signed({})).split('.');
    const payload = Buffer.from(JSON.stringify({ sub: 'mallory', iss: issuer, aud: audience, exp: now() + 60, roles: ['admin'] })).toString('base64url');
    await rejection(`Bearer ${header}.${payload}.${signature}`);
  });

  it.each([
    ['wrong issuer', (jwt: SignJWT) => jwt.setIssuer('someone-else')],
    ['wrong audience', (jwt: SignJWT) => jwt.setAudience('other-service')],
    ['expired', (jwt: SignJWT) => jwt.setExpirationTime(now() - 10)],
    ['not yet valid', (jwt: SignJWT) => jwt.setNotBefore(now() + 600)],
    ['empty subject', (jwt: SignJWT) => jwt.setSubject('')],
  ])('rejects a token with %s', async (_label, mutate) => {
    await rejection(`Bearer ${await signed({}, mutate)}`);
  });

  it('rejects a token without exp', async () => {
    const token = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('alice').setIssuer(issuer).setAudience(audience).sign(key);
    await rejection(`Bearer ${token}`);
  });

  it.each([[{ tenant: 42 }], [{ tenant: '' }], [{ tenant: 't'.repeat(257) }]])('rejects the unusable tenant claim %j', async (claims) => {
    await rejection(`Bearer ${await signed(claims)}`);
  });

  it('reads the tenant and roles from configured (nested) claims', async () => {
    const custom = createAuthenticator({ secret, issuer, audience, claims: { tenant: 'org.id', roles: 'realm_access.roles', adminRole: 'lfs-admin' } });
    const token = await signed({ org: { id: 'acme' }, realm_access: { roles: ['lfs-admin'] }, roles: ['admin'] });
    await expect(custom.authenticate(`Bearer ${token}`)).resolves.toEqual({ subject: 'alice', tenant: 'acme', admin: true });
    const plain = await signed({ roles: ['admin'], tenant: 'ignored' });
    await expect(custom.authenticate(`Bearer ${plain}`)).resolves.toEqual({ subject: 'alice', tenant: 'default', admin: false });
  });

  it('tells long-lived connections when the token expires', async () => {
    const exp = now() + 90;
    const identity = await auth.verify(`Bearer ${await signed({}, (jwt) => jwt.setExpirationTime(exp))}`);
    expect(identity.expiresAt.getTime()).toBe(exp * 1000);
  });

  it('accepts a token inside the clock tolerance and rejects it after', async () => {
    const tolerant = createAuthenticator({ secret, issuer, audience, clockToleranceSeconds: 30 });
    const recentlyExpired = await signed({}, (jwt) => jwt.setExpirationTime(now() - 10));
    await expect(tolerant.authenticate(`Bearer ${recentlyExpired}`)).resolves.toMatchObject({ subject: 'alice' });
    const longExpired = await signed({}, (jwt) => jwt.setExpirationTime(now() - 60));
    await expect(tolerant.authenticate(`Bearer ${longExpired}`)).rejects.toBeInstanceOf(LfsError);
  });

  it('rejects alg none', async () => {
    const token = new UnsecuredJWT({}).setSubject('alice').setIssuer(issuer).setAudience(audience).setExpirationTime('1h').encode();
    await rejection(`Bearer ${token}`);
  });

  it('rejects HS512 even with the right secret', async () => {
    const token = await new SignJWT({}).setProtectedHeader({ alg: 'HS512' }).setSubject('alice').setIssuer(issuer).setAudience(audience).setExpirationTime('1h').sign(key);
    await rejection(`Bearer ${token}`);
  });
});
