import { createApp, type App } from './app.js';
import { mintToken } from './auth/index.js';
import type { Config } from './config.js';

/** `lfs serve`: LFS (with the embedded AWS endpoint unless one is configured) until SIGINT or SIGTERM. */
export async function main(config: Config): Promise<void> {
  const app = createApp(config);
  await app.start();
  if (app.problems.length === 0) app.logger.info({ graphql: `${app.url}/graphql`, awsEndpoint: app.localAws?.url }, 'LFS is ready');
  process.stdout.write(await readyMessage(app));
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    app.logger.info({ signal }, 'stopping');
    app.stop().then(
      () => process.exit(0),
      (error) => {
        app.logger.error({ err: error }, 'unclean stop');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

/** Where everything is, and a token to try it with (none with a JWKS: the identity provider signs tokens). */
async function readyMessage(app: App): Promise<string> {
  const { auth } = app.config;
  const token = app.authSecret && (await mintToken(app.authSecret, { sub: 'dev', issuer: auth.issuer, audience: auth.audience, expiresIn: '12h' }));
  // Not ready: it serves /healthz and /readyz (with the same list), and becomes ready once the resources are there.
  const status = app.problems.length === 0 ? 'LFS is ready' : `LFS is NOT READY (see ${app.url}/readyz):\n${app.problems.map((problem) => `  - ${problem}\n`).join('')}`;
  return (
    `\n${status}\n  GraphQL:  ${app.url}/graphql\n  Upload page:  ${app.url}/\n` +
    (app.localAws ? `  AWS endpoint (embedded): ${app.localAws.url}\n` : '') +
    (token ? `  Development token (sub "dev", 12 h):\n  ${token}\n` : '') +
    '\n'
  );
}
