import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createLocalAws } from './server.js';

const usage = `Usage: lfs-local-aws [--port 4566] [--host 127.0.0.1] [--data-dir ./.local-aws]
                     [--secure-transport] [--max-uploads-per-key 10]
                     [--extra-account 111111111111 ...]

Serves the AWS-compatible endpoint (S3, STS, SQS, IAM, KMS) on local disk.
Root credentials come from LFS_LOCAL_AWS_ACCESS_KEY_ID and LFS_LOCAL_AWS_SECRET_ACCESS_KEY
when both are set, otherwise they are generated into the data folder; so are those
of each --extra-account. With LFS_LOCAL_AWS_TLS_CERT and LFS_LOCAL_AWS_TLS_KEY (PEM
files) it serves HTTPS.`;

class UsageError extends Error {}

/** `lfs-local-aws [options]`: serves the endpoint until SIGINT or SIGTERM. */
export async function main(argv: string[], env: Record<string, string | undefined> = process.env): Promise<void> {
  try {
    await serve(argv, env);
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`${(error as Error).message}\n\n${usage}\n`);
      process.exit(2);
    }
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  }
}

async function serve(argv: string[], env: Record<string, string | undefined>): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '4566' },
      host: { type: 'string', default: '127.0.0.1' },
      'data-dir': { type: 'string', default: './.local-aws' },
      // Behind a TLS-terminating proxy, requests count as aws:SecureTransport.
      'secure-transport': { type: 'boolean', default: false },
      'max-uploads-per-key': { type: 'string', default: '10' },
      'extra-account': { type: 'string', multiple: true, default: [] },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError('--port must be a port number (0 for a free one)');
  const maxUploadsPerKey = Number(values['max-uploads-per-key']);
  if (!Number.isInteger(maxUploadsPerKey) || maxUploadsPerKey < 1) throw new UsageError('--max-uploads-per-key must be a positive integer');
  const extraAccounts = values['extra-account']!;
  for (const account of extraAccounts) if (!/^\d{12}$/.test(account)) throw new UsageError('--extra-account must be a 12-digit account id');
  const certFile = env.LFS_LOCAL_AWS_TLS_CERT;
  const keyFile = env.LFS_LOCAL_AWS_TLS_KEY;
  if (Boolean(certFile) !== Boolean(keyFile)) throw new UsageError('LFS_LOCAL_AWS_TLS_CERT and LFS_LOCAL_AWS_TLS_KEY go together');
  const accessKeyId = env.LFS_LOCAL_AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.LFS_LOCAL_AWS_SECRET_ACCESS_KEY;
  const endpoint = createLocalAws({
    dataDir: resolve(values['data-dir']!),
    port,
    host: values.host,
    rootCredentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined,
    secureTransport: values['secure-transport'],
    maxUploadsPerKey,
    extraAccounts,
    tls: certFile && keyFile ? { certFile: resolve(certFile), keyFile: resolve(keyFile) } : undefined,
  });
  await endpoint.start();
  const others = [...endpoint.accountCredentials].filter(([account]) => account !== endpoint.accountId);
  process.stdout.write(
    `AWS-compatible endpoint (S3, STS, SQS, IAM, KMS) at ${endpoint.url}\n` +
      `  region: ${endpoint.region}\n  account: ${endpoint.accountId}\n  AWS_ACCESS_KEY_ID=${endpoint.rootCredentials.accessKeyId}\n` +
      `  AWS_SECRET_ACCESS_KEY=${endpoint.rootCredentials.secretAccessKey}\n` +
      others.map(([account, root]) => `  account ${account} (root): AWS_ACCESS_KEY_ID=${root.accessKeyId} AWS_SECRET_ACCESS_KEY=${root.secretAccessKey}\n`).join(''),
  );
  const stop = () => endpoint.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
