import { createApp, type App } from './app.js';
import { DEVELOPMENT_TOKEN, mintDevelopmentToken } from './auth/index.js';
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

/** A value a POSIX shell reads back as is: quoted unless it is made only of safe characters. */
const shellValue = (value: string) => (/^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", "'\\''")}'`);

/**
 * Everything a developer needs, on stdout (not a log line): where GraphQL and
 * the upload page are, the embedded endpoint with its root credentials as
 * shell lines (the AWS CLI and SDKs read them), the queues, and a development
 * token when the secret is LFS's own (none with a configured secret or a JWKS).
 */
async function readyMessage(app: App): Promise<string> {
  const { auth, graphiql } = app.config;
  // Not ready: it serves /healthz and /readyz (with the same list), and becomes ready once the resources are there.
  const status = app.problems.length === 0 ? ['LFS is ready'] : [`LFS is NOT READY (see ${app.url}/readyz):`, ...app.problems.map((problem) => `  - ${problem}`)];
  const lines = [
    '',
    ...status,
    `  GraphQL:      ${app.url}/graphql${graphiql ? '  (GraphiQL in a browser; ?subscriptions=sse for SSE)' : ''}`,
    `  Upload page:  ${app.url}/`,
  ];
  if (app.localAws) lines.push(`  AWS endpoint (embedded): ${app.localAws.url}  (S3, STS, SQS; data in ${app.config.aws.localDataDir})`);
  if (app.queues) {
    lines.push(
      '  Queues:',
      `    dock events:   ${app.queues.dockEventsQueueUrl}`,
      `    dead letters:  ${app.queues.deadLetterQueueUrl}`,
      `    file events:   ${app.queues.fileEventsQueueUrl}  (FileAvailable / FileFailed for back ends)`,
    );
  }
  if (app.localAws) {
    const { url, region, rootCredentials } = app.localAws;
    lines.push(
      "  The embedded endpoint's root credentials, for a shell (AWS CLI, SDKs):",
      ...Object.entries({
        AWS_ENDPOINT_URL: url,
        AWS_REGION: region,
        // The AWS CLI v1 and boto3 read this one instead.
        AWS_DEFAULT_REGION: region,
        AWS_ACCESS_KEY_ID: rootCredentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: rootCredentials.secretAccessKey,
      }).map(([name, value]) => `    export ${name}=${shellValue(value)}`),
    );
  }
  if (auth.generatedSecret && app.authSecret) {
    lines.push(
      `  Development token (sub "${DEVELOPMENT_TOKEN.sub}", ${DEVELOPMENT_TOKEN.hours} h; \`npx lfs token --sub S\` mints others):`,
      `  ${await mintDevelopmentToken(app.authSecret, auth)}`,
    );
  }
  return `${lines.join('\n')}\n\n`;
}
