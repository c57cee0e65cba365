import { createApp } from './app.js';
import { mintToken } from './auth/index.js';
import { loadConfig } from './config.js';

/** `npm start`: serve LFS (with the embedded AWS endpoint unless one is configured) until a signal. */
export async function main(env: Record<string, string | undefined> = process.env): Promise<void> {
  const config = loadConfig(env);
  const app = createApp(config);
  await app.start();
  const token = await mintToken(app.authSecret, { sub: 'dev', issuer: config.auth.issuer, audience: config.auth.audience, expiresIn: '12h' });
  app.logger.info({ graphql: `${app.url}/graphql`, awsEndpoint: app.localAws?.url }, 'LFS is ready');
  process.stdout.write(
    `\nLFS is ready\n  GraphQL:  ${app.url}/graphql\n  Upload page:  ${app.url}/\n` +
      (app.localAws ? `  AWS endpoint (embedded): ${app.localAws.url}\n` : '') +
      `  Development token (sub "dev", 12 h):\n  ${token}\n\n`,
  );
  let stopping = false;
  const shutdown = (signal: string) => {
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
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}
