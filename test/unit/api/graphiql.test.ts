import { parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createGraphiQLPage, EXAMPLE_OPERATIONS, renderWithConnectionParams } from '../../../src/api/graphiql.js';
import { schema } from '../../../src/api/schema/index.js';

const requestFor = (host: string, path = '/graphql') => new Request(`http://${host}${path}`, { headers: { host, accept: 'text/html' } });

describe('GraphiQL page', () => {
  it.each(EXAMPLE_OPERATIONS.map((operation) => [operation.query.match(/(?:query|mutation|subscription) (\w+)/)![1], operation]))(
    'the example %s is valid against the schema, with JSON variables',
    (_, operation) => {
      expect(validate(schema, parse(operation.query))).toEqual([]);
      expect(() => JSON.parse(operation.variables)).not.toThrow();
    },
  );

  it('starts GraphiQL through the script that hands its headers to graphql-ws', () => {
    const html = renderWithConnectionParams({ title: 'Large File Service' });
    expect(html).not.toContain('YogaGraphiQL.renderYogaGraphiQL(\n');
    expect(html).toContain('connectionParams: function ()');
  });

  it('opens with the examples and a token in development, on loopback names and the listen address only', async () => {
    const page = createGraphiQLPage({ developmentToken: async () => 'dev-token', listenHost: 'lfs.internal' });
    for (const host of ['127.0.0.1:4000', 'localhost', '[::1]:4000', 'lfs.internal:4000', 'LFS.internal']) {
      expect(await page.options(requestFor(host)), host).toMatchObject({ defaultHeaders: expect.stringContaining('Bearer dev-token') });
    }
    const elsewhere = await page.options(requestFor('attacker.example:4000'));
    expect(elsewhere.defaultHeaders).toBeUndefined();
    expect(elsewhere.defaultTabs).toHaveLength(EXAMPLE_OPERATIONS.length);
  });

  it('pre-fills nothing outside development, and picks the subscription protocol from the page address', async () => {
    const page = createGraphiQLPage({ listenHost: '0.0.0.0' });
    const options = await page.options(requestFor('127.0.0.1:4000'));
    expect(options).toEqual({ title: 'Large File Service', subscriptionsProtocol: 'WS', shouldPersistHeaders: false });
    expect((await page.options(requestFor('127.0.0.1:4000', '/graphql?subscriptions=sse'))).subscriptionsProtocol).toBe('SSE');
  });
});
