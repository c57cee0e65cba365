import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../helpers/stack.js';

interface Page {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The bearer token written into the page, if any. */
  token: string | undefined;
}

/**
 * GET /graphql as a browser asks for GraphiQL. node:http rather than fetch,
 * which will not send a Host header of the caller's choosing.
 */
function getPage(stack: Stack, headers: Record<string, string> = {}): Promise<Page> {
  const url = new URL(`${stack.app.url}/graphql`);
  return new Promise((resolve, reject) => {
    request({ host: url.hostname, port: url.port, path: url.pathname, headers: { accept: 'text/html', ...headers } }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode!, headers: response.headers, body, token: /Bearer (ey[\w-]+\.[\w-]+\.[\w-]+)/.exec(body)?.[1] }),
      );
      response.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

const ME = 'query { files(first: 1) { edges { node { id } } } }';

/**
 * In development GraphiQL holds a working token: only a page asked for on
 * this machine's own names gets it, and neither a cache, another origin nor
 * another mode ever does.
 */
describe('the GraphiQL page and its development token', () => {
  describe('in development', () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await startStack({ LFS_PROMOTION_ENABLED: 'false' });
    });
    afterAll(() => stack?.stop());

    it('holds a fresh token for "dev" that works, in a page no cache keeps', async () => {
      const page = await getPage(stack);
      expect(page.status).toBe(200);
      expect(page.headers['cache-control']).toBe('no-store');
      expect(page.token).toBeDefined();
      expect(JSON.parse(Buffer.from(page.token!.split('.')[1], 'base64url').toString())).toMatchObject({ sub: 'dev' });
      expect((await stack.graphql(page.token, ME)).errors).toBeUndefined();
    });

    it('cannot be read by a script of another origin, nor framed by one', async () => {
      const page = await getPage(stack, { origin: 'https://evil.example' });
      // Without Access-Control-Allow-Origin the browser keeps the response from the other origin's script.
      expect(page.headers['access-control-allow-origin']).toBeUndefined();
      expect(page.headers['access-control-allow-credentials']).toBeUndefined();
      expect(page.headers['content-security-policy']).toBe("frame-ancestors 'none'");
      expect(page.token).toBeDefined();
    });

    it.each(['evil.example', 'evil.example:4000', '192.168.1.20:4000'])('gives no token under the Host name %j (DNS rebinding, a LAN address)', async (host) => {
      const page = await getPage(stack, { host });
      expect(page.status).toBe(200);
      expect(page.token).toBeUndefined();
    });

    it.each(['127.0.0.1', 'localhost', '[::1]'])('gives the token under the loopback name %s', async (name) => {
      expect((await getPage(stack, { host: `${name}:${new URL(stack.app.url).port}` })).token).toBeDefined();
    });
  });

  describe('with a configured secret', () => {
    const secret = { LFS_AUTH_SECRET: 'a-configured-secret-of-enough-length-0123456789', LFS_PROMOTION_ENABLED: 'false' };

    it('serves neither GraphiQL nor introspection by default', async () => {
      const stack = await startStack(secret);
      try {
        const page = await getPage(stack);
        expect(page.body.includes('<html'), 'GraphiQL is served').toBe(false);
        const { errors } = await stack.graphql(await stack.token('alice'), '{ __schema { queryType { name } } }');
        expect(errors?.[0].message).toMatch(/introspection/i);
      } finally {
        await stack.stop();
      }
    });

    it('pre-fills nothing when GraphiQL is turned on', async () => {
      const stack = await startStack({ ...secret, LFS_GRAPHIQL: 'true' });
      try {
        const page = await getPage(stack);
        expect(page.body.includes('Large File Service'), 'GraphiQL is served').toBe(true);
        expect(page.token).toBeUndefined();
        expect(page.body.includes('"defaultHeaders":'), 'headers are pre-filled').toBe(false);
        expect(page.body.includes('RequestUpload('), 'the examples are pre-filled').toBe(false);
        expect(page.headers['cache-control']).toBe('no-store');
      } finally {
        await stack.stop();
      }
    });
  });
});
