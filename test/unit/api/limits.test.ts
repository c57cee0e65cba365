import { getIntrospectionQuery } from 'graphql';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApi, type GraphQLBody, type TestApi } from './harness.js';

const UPLOAD = 'mutation ($input: RequestUploadInput!) { requestUpload(input: $input) { file { id } } }';
const REFRESH = 'mutation ($id: ID!) { refreshUploadCredentials(fileId: $id) { accessKeyId } }';

describe('API limits', () => {
  let t: TestApi;
  afterEach(async () => {
    await t.close();
  });

  async function post(body: BodyInit, headers: Record<string, string> = {}) {
    const response = await t.api.yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await t.token('alice')}`, ...headers },
      body,
      // A stream body needs half duplex in fetch.
      ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
    } as RequestInit);
    return { status: response.status, body: (await response.json()) as GraphQLBody | GraphQLBody[] };
  }

  const files = async () => (await t.repository.list({ tenant: 'default', first: 100 })).items.length;

  describe('request bodies', () => {
    it('refuses a declared body over the limit with 413 PAYLOAD_TOO_LARGE and runs nothing', async () => {
      t = await createTestApi({ LFS_MAX_BODY_BYTES: '2048' });
      const input = { name: 'x', size: 1, metadata: { pad: 'p'.repeat(3000) } };
      const { status, body } = await post(JSON.stringify({ query: UPLOAD, variables: { input } }));
      expect(status).toBe(413);
      expect((body as GraphQLBody).errors![0].extensions?.code).toBe('PAYLOAD_TOO_LARGE');
      expect(await files()).toBe(0);
    });

    it('refuses a chunked body (no Content-Length) once it passes the limit', async () => {
      t = await createTestApi({ LFS_MAX_BODY_BYTES: '2048' });
      const chunk = new TextEncoder().encode(' '.repeat(1024));
      let sent = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          // Endless whitespace: only the limit can end this request.
          sent++;
          controller.enqueue(chunk);
        },
      });
      const { status } = await post(stream);
      expect(status).toBe(413);
      expect(sent).toBeLessThan(10);
    });

    it('accepts a body just under the limit', async () => {
      t = await createTestApi({ LFS_MAX_BODY_BYTES: '2048' });
      const { status, body } = await post(JSON.stringify({ query: UPLOAD, variables: { input: { name: 'x', size: 1 } } }));
      expect(status).toBe(200);
      expect((body as GraphQLBody).errors).toBeUndefined();
    });

    it('does not parse GraphQL multipart uploads', async () => {
      t = await createTestApi();
      const form = new FormData();
      form.set('operations', JSON.stringify({ query: UPLOAD, variables: { input: { name: 'x', size: 1 } } }));
      form.set('map', '{}');
      const response = await t.api.yoga.fetch('http://localhost/graphql', { method: 'POST', body: form, headers: { authorization: `Bearer ${await t.token('alice')}` } });
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(await files()).toBe(0);
    });
  });

  describe('batching', () => {
    it('runs a batch up to the limit and refuses a bigger one whole', async () => {
      t = await createTestApi({ LFS_GRAPHQL_BATCH_LIMIT: '3' });
      const op = { query: UPLOAD, variables: { input: { name: 'x', size: 1 } } };
      const ok = await post(JSON.stringify([op, op, op]));
      expect(ok.status).toBe(200);
      expect((ok.body as GraphQLBody[]).map((result) => Boolean(result.data?.requestUpload))).toEqual([true, true, true]);
      const refused = await post(JSON.stringify([op, op, op, op]));
      expect(refused.status).toBe(413);
      expect(await files()).toBe(3);
    });

    it('refuses any batch when batching is off', async () => {
      t = await createTestApi({ LFS_GRAPHQL_BATCH_LIMIT: '0' });
      const { status } = await post(JSON.stringify([{ query: '{ __typename }' }]));
      expect(status).toBeGreaterThanOrEqual(400);
    });
  });

  describe('document limits (graphql-armor)', () => {
    const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: file(id: "x") { id }`).join(' ')} }`;
    it.each([
      ['too many aliases', { LFS_GRAPHQL_MAX_ALIASES: '5' }, aliases(6), /alias/i],
      ['too deep', { LFS_GRAPHQL_MAX_DEPTH: '3' }, '{ files { edges { node { checksum { value } } } } }', /depth/i],
      ['too costly', { LFS_GRAPHQL_MAX_COST: '40' }, '{ files { edges { node { id name size status owner metadata createdAt checksum { algorithm value } } } } }', /cost/i],
      ['too many directives', { LFS_GRAPHQL_MAX_DIRECTIVES: '2' }, '{ __typename @skip(if: false) @skip(if: false) @include(if: true) }', /directive/i],
      ['too many tokens', { LFS_GRAPHQL_MAX_TOKENS: '50' }, aliases(12), /token/i],
    ])('refuses a document with %s before running it', async (_label, env, query, message) => {
      t = await createTestApi(env);
      const { body } = await post(JSON.stringify({ query }));
      const errors = (body as GraphQLBody).errors!;
      expect(errors[0].message).toMatch(message);
      expect((body as GraphQLBody).data).toBeUndefined();
    });

    it('refuses aliased fan-out of full pages with the defaults', async () => {
      t = await createTestApi();
      const page = 'files(first: 100) { edges { node { id name size metadata checksum { value } } } }';
      const { body } = await post(JSON.stringify({ query: `{ ${['a', 'b', 'c'].map((alias) => `${alias}: ${page}`).join(' ')} }` }));
      expect((body as GraphQLBody).errors![0].message).toMatch(/cost/i);
    });

    it('refuses cyclic introspection (fields inside fields), which armor does not count', async () => {
      // A generous depth limit, so only the introspection rule is under test.
      t = await createTestApi({ LFS_GRAPHQL_MAX_DEPTH: '100' });
      const { body } = await post(JSON.stringify({ query: '{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }' }));
      expect((body as GraphQLBody).errors![0].message).toMatch(/Introspection may not nest "fields"/);
      const viaFragment = await post(JSON.stringify({ query: 'query { __type(name: "File") { ...F } } fragment F on __Type { fields { type { ...G } } } fragment G on __Type { fields { name } }' }));
      expect((viaFragment.body as GraphQLBody).errors![0].message).toMatch(/nest "fields"/);
    });

    it("accepts GraphiQL's full introspection query", async () => {
      t = await createTestApi();
      const query = getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true });
      const { body } = await post(JSON.stringify({ query }));
      expect((body as GraphQLBody).errors).toBeUndefined();
      expect((body as GraphQLBody).data?.__schema).toBeTruthy();
    });

    it('lets the largest query a front end sends through with the defaults', async () => {
      t = await createTestApi();
      const query = `{ files(first: 100) { edges { cursor node { id name size contentType metadata status owner checksum { algorithm value } failureReason createdAt uploadedAt availableAt } } pageInfo { hasNextPage endCursor } } }`;
      const { body } = await post(JSON.stringify({ query }));
      expect((body as GraphQLBody).errors).toBeUndefined();
    });
  });

  describe('per-owner rate limits', () => {
    it('limits requestUpload per owner with RATE_LIMITED, retryAfter and Retry-After, creating nothing', async () => {
      t = await createTestApi({ LFS_RATE_UPLOADS_BURST: '2', LFS_RATE_UPLOADS_PER_MINUTE: '1' });
      const alice = await t.token('alice');
      const upload = () => t.graphql(UPLOAD, { input: { name: 'x', size: 1 } }, alice);
      expect((await upload()).body.errors).toBeUndefined();
      expect((await upload()).body.errors).toBeUndefined();
      const limited = await upload();
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('60');
      expect(limited.body.errors![0].extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 60 });
      expect(await files()).toBe(2);
      // Another owner has a bucket of its own.
      expect((await t.graphql(UPLOAD, { input: { name: 'x', size: 1 } }, await t.token('bob'))).body.errors).toBeUndefined();
    });

    it('limits refreshUploadCredentials per owner, also for files the caller cannot see', async () => {
      t = await createTestApi({ LFS_RATE_REFRESH_BURST: '1', LFS_RATE_REFRESH_PER_MINUTE: '1' });
      const file = await t.seed({ owner: 'alice' });
      const alice = await t.token('alice');
      expect((await t.graphql(REFRESH, { id: file.id }, alice)).body.data?.refreshUploadCredentials).toBeTruthy();
      expect((await t.graphql(REFRESH, { id: 'probe' }, alice)).body.errors![0].extensions?.code).toBe('RATE_LIMITED');
    });

    it('limits resumeUpload with the refresh limit, refusing with RATE_LIMITED rather than failing the process', async () => {
      t = await createTestApi({ LFS_RATE_REFRESH_BURST: '1', LFS_RATE_REFRESH_PER_MINUTE: '1' });
      const file = await t.seed({ owner: 'alice' });
      const alice = await t.token('alice');
      const RESUME = 'mutation ($id: ID!) { resumeUpload(fileId: $id) { uploadId } }';
      expect((await t.graphql(RESUME, { id: file.id }, alice)).body.errors).toBeUndefined();
      expect((await t.graphql(RESUME, { id: file.id }, alice)).body.errors?.[0].extensions?.code).toBe('RATE_LIMITED');
    });
  });

  describe('per-owner quotas', () => {
    it('refuses a new upload past the open-upload count with QUOTA_EXCEEDED, and admits again after a cancel', async () => {
      t = await createTestApi({ LFS_QUOTA_OPEN_UPLOADS: '2' });
      const alice = await t.token('alice');
      const upload = () => t.graphql(UPLOAD, { input: { name: 'x', size: 1 } }, alice);
      const [first] = [await upload(), await upload()];
      const refused = await upload();
      expect(refused.body.errors![0].extensions).toMatchObject({ code: 'QUOTA_EXCEEDED', quota: 'openUploads', limit: 2 });
      expect(await files()).toBe(2);
      await t.repository.transition(first.body.data!.requestUpload.file.id, 'AWAITING_UPLOAD', 'CANCELLED');
      expect((await upload()).body.errors).toBeUndefined();
      expect((await t.graphql(UPLOAD, { input: { name: 'x', size: 1 } }, await t.token('bob'))).body.errors).toBeUndefined();
    });

    it('refuses an upload that would put the owner past its bytes in flight', async () => {
      t = await createTestApi({ LFS_QUOTA_BYTES_IN_FLIGHT: '1000' });
      const alice = await t.token('alice');
      expect((await t.graphql(UPLOAD, { input: { name: 'x', size: 600 } }, alice)).body.errors).toBeUndefined();
      const refused = await t.graphql(UPLOAD, { input: { name: 'x', size: 401 } }, alice);
      expect(refused.body.errors![0].extensions).toMatchObject({ code: 'QUOTA_EXCEEDED', quota: 'bytesInFlight', limit: 1000, inFlight: 600 });
      expect((await t.graphql(UPLOAD, { input: { name: 'x', size: 400 } }, alice)).body.errors).toBeUndefined();
    });

    it('admits concurrent requests of one owner one at a time, so none overshoots', async () => {
      t = await createTestApi({ LFS_QUOTA_OPEN_UPLOADS: '3', LFS_RATE_UPLOADS_BURST: '100' });
      const alice = await t.token('alice');
      const results = await Promise.all(Array.from({ length: 10 }, () => t.graphql(UPLOAD, { input: { name: 'x', size: 1 } }, alice)));
      const codes = results.map((result) => result.body.errors?.[0].extensions?.code ?? 'ok');
      expect(codes.filter((code) => code === 'ok')).toHaveLength(3);
      expect(codes.filter((code) => code === 'QUOTA_EXCEEDED')).toHaveLength(7);
      expect(await files()).toBe(3);
    });
  });

  it("answers NOT_FOUND rather than return someone else's file, whatever the service hands back", async () => {
    t = await createTestApi();
    const bobs = await t.seed({ owner: 'bob', name: 'secret-plans.pdf' });
    // A service bug that returns the wrong record must still not leak it.
    t.uploads.cancelUpload = async () => bobs;
    const { body } = await t.graphql('mutation { cancelUpload(fileId: "x") { id name owner } }', {}, await t.token('alice'));
    expect(body.errors![0].extensions?.code).toBe('NOT_FOUND');
    expect(JSON.stringify(body)).not.toContain('secret-plans');
  });
});
