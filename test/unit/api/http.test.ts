import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from './harness.js';

const TiB = 1024 ** 4;

const REQUEST_UPLOAD = /* GraphQL */ `
  mutation ($input: RequestUploadInput!) {
    requestUpload(input: $input) {
      file { id name size contentType metadata status owner checksum { algorithm value } failureReason createdAt uploadedAt availableAt }
      target { endpoint region bucket key forcePathStyle kmsKeyId partSize }
      credentials { accessKeyId secretAccessKey sessionToken expiration }
    }
  }`;
const FILE = 'query ($id: ID!) { file(id: $id) { id owner status } }';
const FILES = /* GraphQL */ `
  query ($first: Int, $after: String, $status: FileStatus) {
    files(first: $first, after: $after, status: $status) { edges { cursor node { id status } } pageInfo { hasNextPage endCursor } }
  }`;

describe('GraphQL over HTTP', () => {
  let t: TestApi;
  let alice: string;
  beforeEach(async () => {
    t = await createTestApi();
    alice = await t.token('alice');
  });
  afterEach(async () => {
    await t.close();
  });

  describe('authentication', () => {
    it.each([
      ['file', FILE, { id: 'x' }],
      ['files', FILES, {}],
      ['requestUpload', REQUEST_UPLOAD, { input: { name: 'a', size: 1 } }],
      ['refreshUploadCredentials', 'mutation { refreshUploadCredentials(fileId: "x") { accessKeyId } }', {}],
      ['cancelUpload', 'mutation { cancelUpload(fileId: "x") { id } }', {}],
      ['createDownloadLink', 'mutation { createDownloadLink(fileId: "x") { url } }', {}],
    ])('answers UNAUTHENTICATED for %s without a token', async (_name, query, variables) => {
      const { body } = await t.graphql(query, variables);
      expect(body.errors?.map((error) => error.extensions?.code)).toEqual(['UNAUTHENTICATED']);
      expect(await t.repository.list({ tenant: 'default', first: 10 })).toMatchObject({ items: [] });
    });

    it.each([
      ['garbage', 'Bearer nope'],
      ['another scheme', 'Basic YWxpY2U6cHc='],
    ])('rejects a %s authorization header with 401 UNAUTHENTICATED', async (_label, header) => {
      const response = await t.api.yoga.fetch('http://localhost/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: header },
        body: JSON.stringify({ query: FILES }),
      });
      expect(response.status).toBe(401);
      const body = (await response.json()) as { errors: Array<{ extensions: { code: string } }> };
      expect(body.errors.map((error) => error.extensions.code)).toEqual(['UNAUTHENTICATED']);
    });
  });

  it('requests an upload and returns the ticket with the normalized input', async () => {
    const { body } = await t.graphql(REQUEST_UPLOAD, { input: { name: 'film.mov', size: 5 * TiB, metadata: { project: 'x' }, checksum: { algorithm: 'SHA256', value: Buffer.alloc(32, 1).toString('base64') } } }, alice);
    expect(body.errors).toBeUndefined();
    const ticket = body.data!.requestUpload;
    expect(ticket.file).toMatchObject({ name: 'film.mov', size: 5 * TiB, contentType: 'application/octet-stream', metadata: { project: 'x' }, status: 'AWAITING_UPLOAD', owner: 'alice', failureReason: null, uploadedAt: null, availableAt: null });
    expect(ticket.file.checksum).toEqual({ algorithm: 'SHA256', value: Buffer.alloc(32, 1).toString('base64') });
    expect(new Date(ticket.file.createdAt).toISOString()).toBe(ticket.file.createdAt);
    expect(ticket.target).toMatchObject({ key: `uploads/${ticket.file.id}`, forcePathStyle: true, partSize: 8 * 1024 * 1024 });
    expect(ticket.credentials).toMatchObject({ accessKeyId: 'ASIATEST', sessionToken: 'token' });
    expect((await t.repository.get(ticket.file.id))?.size).toBe(5 * TiB);
  });

  describe('validation', () => {
    const valid = { name: 'ok.txt', size: 10 };
    const long = (n: number) => 'x'.repeat(n);
    it.each([
      ['input.name', { name: '' }],
      ['input.name', { name: long(1025) }],
      ['input.name', { name: 'a\u0000b' }],
      ['input.name', { name: 'line\nbreak' }],
      ['input.name', { name: 'bell\u0007' }],
      ['input.name', { name: 'c1\u0085' }],
      ['input.size', { size: 0 }],
      ['input.size', { size: -5 }],
      ['input.size', { size: 5 * TiB + 1 }],
      ['input.contentType', { contentType: 'text' }],
      ['input.contentType', { contentType: 'text/plain; charset' }],
      ['input.contentType', { contentType: 'text/pl ain' }],
      ['input.contentType', { contentType: '' }],
      ['input.metadata', { metadata: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, i])) }],
      ['input.metadata', { metadata: { big: long(8 * 1024) } }],
      ['input.checksum.value', { checksum: { algorithm: 'CRC32', value: 'AAAAAAAA' } }],
      ['input.checksum.value', { checksum: { algorithm: 'CRC64NVME', value: 'AAAAAA==' } }],
      ['input.checksum.value', { checksum: { algorithm: 'SHA256', value: 'not base64!' } }],
    ])('rejects a bad %s with BAD_USER_INPUT naming it, and creates nothing (%j)', async (field, patch) => {
      const { body } = await t.graphql(REQUEST_UPLOAD, { input: { ...valid, ...patch } }, alice);
      expect(body.data).toBeNull();
      expect(body.errors).toHaveLength(1);
      expect(body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect(body.errors![0].message).toContain(field);
      expect((await t.repository.list({ tenant: 'default', first: 10 })).items).toEqual([]);
    });

    it('honours a lower configured maximum size', async () => {
      const small = await createTestApi({ LFS_MAX_FILE_SIZE: '1000' });
      try {
        const { body } = await small.graphql(REQUEST_UPLOAD, { input: { name: 'a', size: 1001 } }, await small.token('alice'));
        expect(body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.size' });
      } finally {
        await small.close();
      }
    });

    it('rejects sizes beyond 2^53 at the SafeInt scalar', async () => {
      const { body } = await t.graphql(REQUEST_UPLOAD.replace('$input: RequestUploadInput!', '$input: RequestUploadInput!'), { input: { name: 'a', size: 2 ** 60 } }, alice);
      expect(body.errors).toHaveLength(1);
      expect(body.errors![0].message).toMatch(/safe/i);
      expect((await t.repository.list({ tenant: 'default', first: 10 })).items).toEqual([]);
    });

    it.each([
      [{ contentType: 'text/plain; charset="utf-8"' }],
      [{ contentType: 'application/vnd.api+json;q=0.5' }],
      [{ name: 'Résumé 📄 final.pdf' }],
      [{ name: 'x'.repeat(1024) }],
      [{ checksum: { algorithm: 'CRC32C', value: 'AAAAAA==' } }],
      [{ checksum: { algorithm: 'CRC64NVME', value: 'AAAAAAAAAAA=' } }],
      [{ metadata: Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`k${i}`, i])) }],
    ])('accepts %j', async (patch) => {
      const { body } = await t.graphql(REQUEST_UPLOAD, { input: { ...valid, ...patch } }, alice);
      expect(body.errors).toBeUndefined();
    });
  });

  describe('file', () => {
    it("returns the caller's file, null for another owner, tenant or an absent id", async () => {
      const own = await t.seed({ owner: 'alice' });
      const bobs = await t.seed({ owner: 'bob' });
      const elsewhere = await t.seed({ owner: 'alice', tenant: 'other' });
      const read = async (id: string, token = alice) => (await t.graphql(FILE, { id }, token)).body;
      expect((await read(own.id)).data).toEqual({ file: { id: own.id, owner: 'alice', status: 'AWAITING_UPLOAD' } });
      for (const id of [bobs.id, elsewhere.id, 'absent']) expect(await read(id)).toEqual({ data: { file: null } });
      const admin = await t.token('root', { admin: true });
      expect((await read(bobs.id, admin)).data?.file?.owner).toBe('bob');
      expect((await read(elsewhere.id, admin)).data?.file).toBeNull();
    });
  });

  describe('files', () => {
    it('pages the caller’s own files newest first and filters by status', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        ids.unshift((await t.seed({ owner: 'alice', createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)), status: i % 2 ? 'CANCELLED' : 'AWAITING_UPLOAD' })).id);
      }
      await t.seed({ owner: 'bob' });
      const seen: string[] = [];
      let after: string | null = null;
      for (let pages = 0; pages < 5; pages++) {
        const { body } = await t.graphql(FILES, { first: 2, after }, alice);
        const connection = body.data!.files;
        seen.push(...connection.edges.map((edge: { node: { id: string } }) => edge.node.id));
        if (!connection.pageInfo.hasNextPage) break;
        expect(connection.pageInfo.endCursor).toBe(connection.edges.at(-1).cursor);
        after = connection.pageInfo.endCursor;
      }
      expect(seen).toEqual(ids);
      const cancelled = await t.graphql(FILES, { status: 'CANCELLED' }, alice);
      expect(cancelled.body.data!.files.edges.map((edge: { node: { status: string } }) => edge.node.status)).toEqual(['CANCELLED', 'CANCELLED']);
      const empty = await t.graphql(FILES, {}, await t.token('carol'));
      expect(empty.body.data).toEqual({ files: { edges: [], pageInfo: { hasNextPage: false, endCursor: null } } });
    });

    it('caps first at 100', async () => {
      for (let i = 0; i < 101; i++) await t.seed({ owner: 'alice' });
      const { body } = await t.graphql(FILES, { first: 1000 }, alice);
      expect(body.data!.files.edges).toHaveLength(100);
      expect(body.data!.files.pageInfo.hasNextPage).toBe(true);
    });

    it.each([
      ['first', { first: 0 }],
      ['first', { first: -1 }],
      ['after', { after: 'junk' }],
    ])('rejects a bad %s with BAD_USER_INPUT', async (field, variables) => {
      const { body } = await t.graphql(FILES, variables, alice);
      expect(body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    });
  });

  describe('upload mutations', () => {
    it('refreshes credentials only for a visible AWAITING_UPLOAD file', async () => {
      const waiting = await t.seed({ owner: 'alice' });
      const done = await t.seed({ owner: 'alice', status: 'AVAILABLE' });
      const bobs = await t.seed({ owner: 'bob' });
      const refresh = (fileId: string) => t.graphql('mutation ($fileId: ID!) { refreshUploadCredentials(fileId: $fileId) { accessKeyId expiration } }', { fileId }, alice);
      expect((await refresh(waiting.id)).body.data?.refreshUploadCredentials.accessKeyId).toBe('ASIATEST2');
      expect((await refresh(done.id)).body.errors![0].extensions?.code).toBe('CONFLICT');
      expect((await refresh(bobs.id)).body.errors![0].extensions?.code).toBe('NOT_FOUND');
    });

    it('hands cancel and download links to the upload service', async () => {
      const file = await t.seed({ owner: 'alice', status: 'AVAILABLE' });
      const calls: unknown[] = [];
      t.uploads.cancelUpload = async (caller, fileId) => {
        calls.push(['cancel', caller.subject, fileId]);
        return file;
      };
      t.uploads.createDownloadLink = async (caller, fileId, seconds) => {
        calls.push(['link', caller.subject, fileId, seconds]);
        return { url: 'http://vault/x', expiresAt: new Date(Date.UTC(2030, 0, 1)) };
      };
      const cancel = await t.graphql('mutation ($id: ID!) { cancelUpload(fileId: $id) { id } }', { id: file.id }, alice);
      expect(cancel.body.data).toEqual({ cancelUpload: { id: file.id } });
      const link = await t.graphql('mutation ($id: ID!) { createDownloadLink(fileId: $id) { url expiresAt } }', { id: file.id }, alice);
      expect(link.body.data).toEqual({ createDownloadLink: { url: 'http://vault/x', expiresAt: '2030-01-01T00:00:00.000Z' } });
      await t.graphql('mutation ($id: ID!) { createDownloadLink(fileId: $id, expiresIn: 60) { url } }', { id: file.id }, alice);
      expect(calls).toEqual([
        ['cancel', 'alice', file.id],
        ['link', 'alice', file.id, 900],
        ['link', 'alice', file.id, 60],
      ]);
    });

    it.each([0, -1, 59, 12 * 3600 + 1, 7 * 24 * 3600])('rejects createDownloadLink expiresIn %i with BAD_USER_INPUT', async (expiresIn) => {
      const { body } = await t.graphql('mutation ($e: Int) { createDownloadLink(fileId: "x", expiresIn: $e) { url } }', { e: expiresIn }, alice);
      expect(body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'expiresIn' });
    });
  });

  describe('errors', () => {
    it('masks unexpected errors as INTERNAL with the request id, and logs the original', async () => {
      t.uploads.failNext = new Error('SQLITE_BUSY: database is locked at /secret/path');
      const { body, headers } = await t.graphql(REQUEST_UPLOAD, { input: { name: 'a', size: 1 } }, alice);
      const requestId = headers.get('x-request-id');
      expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(body.errors).toEqual([expect.objectContaining({ message: 'Unexpected error', extensions: { code: 'INTERNAL', requestId } })]);
      expect(JSON.stringify(body)).not.toContain('SQLITE');
      expect(t.logs).toContainEqual(expect.objectContaining({ requestId, err: expect.objectContaining({ message: expect.stringContaining('SQLITE_BUSY') }) }));
    });

    it('keeps a sane incoming x-request-id and replaces a hostile one', async () => {
      const send = (id: string) =>
        t.api.yoga.fetch('http://localhost/graphql', { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': id }, body: JSON.stringify({ query: '{ __typename }' }) });
      expect((await send('abc-123')).headers.get('x-request-id')).toBe('abc-123');
      expect((await send('a b\u00ff')).headers.get('x-request-id')).not.toBe('a b\u00ff');
    });

    it('serves GraphiQL and introspection only when configured', async () => {
      const page = await t.api.yoga.fetch('http://localhost/graphql', { headers: { accept: 'text/html' } });
      expect(await page.text()).toContain('Large File Service');
      expect((await t.graphql('{ __schema { queryType { name } } }')).body.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
      const closed = await createTestApi({ LFS_GRAPHIQL: 'false' });
      try {
        const hidden = await closed.api.yoga.fetch('http://localhost/graphql', { headers: { accept: 'text/html' } });
        expect(await hidden.text()).not.toContain('<html');
        const { body } = await closed.graphql('{ __schema { queryType { name } } }', {}, await closed.token('alice'));
        expect(body.errors![0].message).toMatch(/introspection/i);
      } finally {
        await closed.close();
      }
    });

    it('reports GraphQL validation errors as they are', async () => {
      const { body } = await t.graphql('{ nope }', {}, alice);
      expect(body.errors![0].message).toContain('nope');
    });
  });
});
