import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import type { GraphiQLOptions, Plugin } from 'graphql-yoga';

/** The operations GraphiQL opens with in development, one tab each, in the order of a file's life. */
export const EXAMPLE_OPERATIONS: ReadonlyArray<{ query: string; variables: string }> = [
  {
    query: `# Headers (below) hold a development token: sub "dev", 12 h.
# Run this, follow the file in the next tab, then upload it
# with the ticket's target and credentials (see the README).
mutation RequestUpload($input: RequestUploadInput!) {
  requestUpload(input: $input) {
    file { id name size status }
    target { endpoint region bucket key forcePathStyle kmsKeyId partSize }
    credentials { accessKeyId secretAccessKey sessionToken expiration }
  }
}
`,
    variables: JSON.stringify({ input: { name: 'hello.txt', size: 13, contentType: 'text/plain' } }, null, 2),
  },
  {
    query: `# Every change of one file (all yours when fileId is null),
# live until you stop it; AVAILABLE once it is in the vault.
subscription FollowFile($fileId: ID) {
  fileEvents(fileId: $fileId) {
    type
    at
    file { id name status failureReason availableAt }
  }
}
`,
    variables: JSON.stringify({ fileId: 'the id requestUpload returned' }, null, 2),
  },
  {
    query: `query MyFiles($status: FileStatus) {
  files(first: 20, status: $status) {
    edges { node { id name size status createdAt availableAt } }
    pageInfo { hasNextPage endCursor }
  }
}
`,
    variables: JSON.stringify({ status: null }, null, 2),
  },
  {
    query: `# A presigned GET of the vault copy; the file must be AVAILABLE.
mutation CreateDownloadLink($fileId: ID!) {
  createDownloadLink(fileId: $fileId, expiresIn: 900) { url expiresAt }
}
`,
    variables: JSON.stringify({ fileId: 'the id of an AVAILABLE file' }, null, 2),
  },
];

export interface GraphiQLPageOptions {
  /**
   * Mints the token the page opens with: given only in development (the
   * embedded endpoint with the generated secret), where the page also opens
   * with the example operations. Otherwise nothing is pre-filled.
   */
  developmentToken?: () => Promise<string>;
  /** LFS's listen address: a page asked for under any other host name gets no token. */
  listenHost: string;
}

/** What yoga takes to serve GraphiQL: its options per request, the renderer and a plugin for the page's headers. */
export interface GraphiQLPage {
  options: (request: Request) => Promise<GraphiQLOptions>;
  render: (options: GraphiQLOptions) => string;
  plugin: Plugin;
}

/**
 * GraphiQL for LFS: subscriptions over graphql-ws (or SSE with
 * `?subscriptions=sse`), headers never persisted in the browser, and in
 * development a fresh token and the example operations.
 */
export function createGraphiQLPage(options: GraphiQLPageOptions): GraphiQLPage {
  const { developmentToken } = options;
  const hosts = trustedHosts(options.listenHost);
  return {
    async options(request) {
      const page: GraphiQLOptions = {
        title: 'Large File Service',
        subscriptionsProtocol: new URL(request.url).searchParams.get('subscriptions') === 'sse' ? 'SSE' : 'WS',
        // Tokens typed into the page stay in the page, as on the upload page (never in localStorage).
        shouldPersistHeaders: false,
      };
      if (!developmentToken) return page;
      page.defaultTabs = EXAMPLE_OPERATIONS.map((operation) => ({ ...operation }));
      // A page reached under another name (a rebound DNS name, a LAN address) does not get the credential.
      if (hosts.has(hostnameOf(request))) page.defaultHeaders = JSON.stringify({ Authorization: `Bearer ${await developmentToken()}` }, null, 2);
      return page;
    },
    render: renderWithConnectionParams,
    plugin: {
      onResponse({ response }) {
        if (!response.headers.get('content-type')?.startsWith('text/html')) return;
        // The page may hold a token: never stored by a cache, never read by another origin
        // (yoga's CORS answers every origin), never framed by one.
        response.headers.set('cache-control', 'no-store');
        response.headers.delete('access-control-allow-origin');
        response.headers.delete('access-control-allow-credentials');
        response.headers.set('content-security-policy', "frame-ancestors 'none'");
      },
    },
  };
}

/** The call yoga's page template makes to start GraphiQL; the script below wraps it. */
const RENDER_CALL = 'YogaGraphiQL.renderYogaGraphiQL(';

/**
 * graphql-ws sends its connectionParams once, in connection_init, before any
 * operation, while yoga's GraphiQL sends the headers editor's content only
 * with each operation (`extensions.headers`), so LFS would close the socket
 * with 4403. This hands graphql-ws the editor's headers (names in lower case):
 * what the editor opens with (set here, rather than headers an older page
 * persisted in localStorage, which it removes), then every change, which
 * GraphiQL reports through onEditHeaders (switching tabs changes the editor
 * too). Plain ES5: it runs in the page as written.
 */
const CONNECTION_PARAMS_SCRIPT = `function (root, options) {
  var headers = options.defaultHeaders || '';
  try { localStorage.removeItem('graphiql:headers'); } catch (unavailable) {}
  YogaGraphiQL.renderYogaGraphiQL(root, Object.assign({}, options, {
    initialHeaders: headers,
    onEditHeaders: function (text) { headers = text; },
    connectionParams: function () {
      var params = {};
      try {
        var parsed = JSON.parse(headers || '{}');
        if (parsed && typeof parsed === 'object') for (var name in parsed) params[name.toLowerCase()] = parsed[name];
      } catch (invalid) {}
      return params;
    }
  }));
}`;

/** Yoga's bundled GraphiQL page (no CDN), started through CONNECTION_PARAMS_SCRIPT. */
export function renderWithConnectionParams(options: GraphiQLOptions = {}): string {
  const html = renderGraphiQL(options);
  if (!html.includes(RENDER_CALL)) throw new Error(`@graphql-yoga/render-graphiql no longer calls ${RENDER_CALL}: update src/api/graphiql.ts`);
  return html.replace(RENDER_CALL, () => `(${CONNECTION_PARAMS_SCRIPT})(`);
}

/** The host names LFS is reached under on this machine: loopback, and its listen address unless a wildcard. */
function trustedHosts(listenHost: string): Set<string> {
  const hosts = new Set(['localhost', '127.0.0.1', '[::1]']);
  if (listenHost !== '0.0.0.0' && listenHost !== '::') hosts.add(listenHost.includes(':') ? `[${listenHost}]` : listenHost.toLowerCase());
  return hosts;
}

/** The host name of the request's Host header (none: an empty string). */
function hostnameOf(request: Request): string {
  const host = request.headers.get('host');
  if (!host) return '';
  try {
    return new URL(`http://${host}`).hostname;
  } catch {
    return '';
  }
}
