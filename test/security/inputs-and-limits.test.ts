import { once } from 'node:events';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { REQUEST_UPLOAD } from '../helpers/operations.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { codesOf, post, unchangedBy } from './attack.js';

const TiB = 1024 ** 4;

/**
 * Malformed and oversized input for every argument, and requests built to
 * exhaust the server: each is refused with a clear error and changes nothing.
 */
describe('hostile input and resource exhaustion', () => {
  let stack: Stack;
  let bearer: string;

  beforeAll(async () => {
    stack = await startStack({
      LFS_PROMOTION_ENABLED: 'false',
      LFS_HTTP_HEADERS_TIMEOUT_SECONDS: '1',
      LFS_HTTP_REQUEST_TIMEOUT_SECONDS: '2',
      LFS_WS_INIT_TIMEOUT_SECONDS: '1',
    });
    bearer = `Bearer ${await stack.token('mallory')}`;
  });
  afterAll(() => stack?.stop());

  const send = (query: string, variables: Record<string, unknown> = {}) => unchangedBy(stack, () => post(stack, bearer, { query, variables }));
  const upload = (input: unknown) => send(REQUEST_UPLOAD, { input });
  const valid = { name: 'ok.bin', size: 10 };

  it.each([
    ['input.name', { name: '' }],
    ['input.name', { name: 'n'.repeat(1025) }],
    ['input.name', { name: 'evil\r\nSet-Cookie: x=1' }],
    ['input.name', { name: 'nul\u0000byte' }],
    ['input.name', { name: 'bidi\u0085' }],
    ['input.name', { name: 'half\ud800surrogate' }],
    ['input.size', { size: 0 }],
    ['input.size', { size: -1 }],
    ['input.size', { size: 5 * TiB + 1 }],
    ['input.contentType', { contentType: 'text/html\r\nX-Injected: 1' }],
    ['input.contentType', { contentType: 'no-slash' }],
    ['input.contentType', { contentType: `a/${'b'.repeat(300)}` }],
    ['input.metadata', { metadata: { pad: 'p'.repeat(9000) } }],
    ['input.metadata', { metadata: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, i])) }],
    ['input.checksum.value', { checksum: { algorithm: 'SHA256', value: 'AAAA' } }],
    ['input.checksum.value', { checksum: { algorithm: 'CRC32', value: Buffer.alloc(32).toString('base64') } }],
    ['input.checksum.value', { checksum: { algorithm: 'CRC32C', value: 'AAAAAAA=' } }],
    ['input.checksum.value', { checksum: { algorithm: 'CRC32', value: 'AAAAAB==' } }],
    ['input.checksum.value', { checksum: { algorithm: 'CRC64NVME', value: '!!!!!!!!!!!!' } }],
  ])('requestUpload refuses a bad %s with BAD_USER_INPUT naming it, and creates nothing', async (field, override) => {
    const { body } = await upload({ ...valid, ...override });
    expect(codesOf(body)).toEqual(['BAD_USER_INPUT']);
    expect(body.errors[0].extensions.field).toBe(field);
  });

  it.each([
    ['a float size', { size: 1.5 }],
    ['a size past 2^53', { size: 2 ** 53 }],
    ['a string size', { size: '10' }],
    ['a numeric name', { name: 123 }],
    ['an array as metadata', { metadata: [1, 2] }],
    ['a string as metadata', { metadata: '{}' }],
    ['an unknown checksum algorithm', { checksum: { algorithm: 'MD5', value: 'AAAA' } }],
    ['an unknown input field', { owner: 'alice' }],
    ['a missing size', { size: undefined }],
  ])('requestUpload refuses %s before running, and creates nothing', async (_label, override) => {
    const { status, body } = await upload({ ...valid, ...override });
    expect(status).toBe(400);
    expect(body.errors.length).toBeGreaterThan(0);
    expect(body.data ?? null).toBeNull();
  });

  it.each([
    ['a huge id', 'x'.repeat(100_000)],
    ['an SQL fragment', "' OR '1'='1"],
    ['a path', '../../../etc/passwd'],
    ['a unicode id', '\u202e\u0000'],
  ])('every by-id operation answers %s with null or NOT_FOUND', async (_label, id) => {
    expect((await send('query ($id: ID!) { file(id: $id) { id } }', { id })).body.data).toEqual({ file: null });
    for (const mutation of ['refreshUploadCredentials(fileId: $id) { accessKeyId }', 'cancelUpload(fileId: $id) { id }', 'createDownloadLink(fileId: $id) { url }']) {
      const { body } = await send(`mutation ($id: ID!) { ${mutation} }`, { id });
      // A huge id may already fail the body limit; anything else must be NOT_FOUND.
      expect(codesOf(body)[0]).toMatch(/^(NOT_FOUND|PAYLOAD_TOO_LARGE)$/);
    }
  });

  it.each([
    ['first: 0', 'files(first: 0)', 'BAD_USER_INPUT'],
    ['first: -5', 'files(first: -5)', 'BAD_USER_INPUT'],
    ['a forged cursor', 'files(after: "eyJpZCI6IngifQ")', 'BAD_USER_INPUT'],
    ['a huge cursor', `files(after: "${'A'.repeat(5000)}")`, 'BAD_USER_INPUT'],
    ['first past 32 bits', 'files(first: 4294967296)', undefined],
    ['an unknown status', 'files(status: DELETED)', undefined],
  ])('files refuses %s', async (_label, field, code) => {
    const { body } = await send(`{ ${field} { edges { node { id } } } }`);
    expect(body.errors.length).toBeGreaterThan(0);
    if (code) expect(codesOf(body)).toEqual([code]);
  });

  it('files caps a page at 100 (far bigger pages are refused by the cost limit)', async () => {
    const { body } = await send('{ files(first: 120) { pageInfo { hasNextPage } } }');
    expect(body.errors).toBeUndefined();
    const huge = await send('{ files(first: 1000000) { edges { node { id } } } }');
    expect(huge.body.errors[0].message).toMatch(/cost/i);
  });

  it.each([0, 59, 43_201, 2 ** 31 - 1])('createDownloadLink refuses expiresIn %i with BAD_USER_INPUT', async (expiresIn) => {
    const { body } = await send('mutation ($e: Int) { createDownloadLink(fileId: "x", expiresIn: $e) { url } }', { e: expiresIn });
    expect(body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'expiresIn' });
  });

  describe('exhaustion', () => {
    it('refuses a costly query: full pages fanned out by aliases', async () => {
      const page = 'files(first: 100) { edges { node { id name size metadata checksum { value } } } }';
      const { body } = await send(`{ ${Array.from({ length: 10 }, (_, i) => `p${i}: ${page}`).join(' ')} }`);
      expect(body.errors[0].message).toMatch(/cost|alias/i);
      expect(body.data ?? null).toBeNull();
    });

    it('refuses alias floods', async () => {
      const { body } = await send(`{ ${Array.from({ length: 200 }, (_, i) => `a${i}: file(id: "${i}") { id }`).join(' ')} }`);
      expect(body.errors[0].message).toMatch(/alias|token/i);
    });

    it('refuses deeply nested introspection', async () => {
      const deep = `{ __schema { types { ${'fields { type { '.repeat(8)}name${' } }'.repeat(8)} } } }`;
      const { body } = await send(deep);
      expect(body.errors[0].message).toMatch(/depth|nest/i);
    });

    it('refuses a document of too many tokens', async () => {
      const { body } = await send(`{ ${'__typename '.repeat(2000)} }`);
      expect(body.errors[0].message).toMatch(/token/i);
    });

    it('refuses a huge batch whole and runs none of it', async () => {
      const op = { query: REQUEST_UPLOAD, variables: { input: valid } };
      const { status } = await unchangedBy(stack, () => post(stack, bearer, Array.from({ length: 500 }, () => op)));
      expect(status).toBe(413);
    });

    it('refuses a huge body with 413 PAYLOAD_TOO_LARGE', async () => {
      const { status, body } = await unchangedBy(stack, () => post(stack, bearer, { query: REQUEST_UPLOAD, variables: { input: { ...valid, metadata: { pad: 'p'.repeat(2 * 1024 * 1024) } } } }));
      expect(status).toBe(413);
      expect(codesOf(body)).toEqual(['PAYLOAD_TOO_LARGE']);
    });

    it('drops an HTTP request that dribbles its headers (slow loris)', async () => {
      const { port } = new URL(stack.app.url);
      const socket = connect(Number(port), '127.0.0.1');
      await once(socket, 'connect');
      socket.write('POST /graphql HTTP/1.1\r\nHost: x\r\n');
      const dribble = setInterval(() => socket.write('X-Slow: 1\r\n'), 200);
      let response = '';
      socket.on('data', (chunk) => (response += chunk));
      await Promise.race([once(socket, 'close'), once(socket, 'end')]);
      clearInterval(dribble);
      socket.destroy();
      expect(response === '' || response.startsWith('HTTP/1.1 408')).toBe(true);
    });

    it('drops a request whose body never finishes', async () => {
      const { port } = new URL(stack.app.url);
      const socket = connect(Number(port), '127.0.0.1');
      await once(socket, 'connect');
      socket.write(`POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: ${bearer}\r\nContent-Length: 1000\r\n\r\n{"query":`);
      let response = '';
      socket.on('data', (chunk) => (response += chunk));
      await Promise.race([once(socket, 'close'), once(socket, 'end')]);
      socket.destroy();
      expect(response).toMatch(/^HTTP\/1.1 408/);
    });

    it('closes a graphql-ws socket that never sends connection_init (4408)', async () => {
      const socket = new WebSocket(`${stack.app.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
      await once(socket, 'open');
      const [code] = (await once(socket, 'close')) as [number];
      expect(code).toBe(4408);
    });

    it('serves honest clients while all that goes on', async () => {
      const { body } = await post(stack, bearer, { query: REQUEST_UPLOAD, variables: { input: valid } });
      expect(body.errors).toBeUndefined();
    });
  });
});
