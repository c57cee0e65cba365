import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadOrCreateSecret, mintToken } from './auth/index.js';
import { ConfigError, loadConfig, type Config } from './config.js';

const usage = `Usage:
  lfs serve                         serve LFS (same as npm start)
  lfs provision [--dry-run] [--cloudformation] [--print-lfs-policy] ...
                                    create or check what LFS needs in AWS (lfs provision --help)
  lfs token --sub <subject> [--tenant <t>] [--admin] [--expires-in 1h]
                                    print a development token signed with the data folder's secret
  lfs local-aws [--port 4566] [--data-dir DIR] [--host 127.0.0.1] [--secure-transport]
                [--max-uploads-per-key 10]
                                    serve only the embedded AWS-compatible endpoint (S3, STS, SQS);
                                    a key's multipart uploads beyond the limit are refused

Settings come from LFS_* environment variables (see README).`;

/** The one place settings are read from the environment. */
const settings = (): Config => loadConfig(process.env);

async function run(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      // Loaded on demand: the whole app (GraphQL, the AWS SDK) would add ~150 MiB to `lfs local-aws`, which needs none of it.
      return (await import('./main.js')).main(settings());
    case 'token':
      return token(rest, settings());
    case 'local-aws':
      return localAws(rest, settings());
    case 'provision':
      return provision(rest);
    default:
      process.stdout.write(`${usage}\n`);
      if (command && command !== 'help' && command !== '--help') process.exitCode = 2;
  }
}

async function token(args: string[], config: Config): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      sub: { type: 'string' },
      tenant: { type: 'string' },
      admin: { type: 'boolean', default: false },
      'expires-in': { type: 'string', default: '12h' },
    },
  });
  if (!values.sub) throw new UsageError('--sub is required');
  const secret = config.auth.secret ?? (await loadOrCreateSecret(config.dataDir));
  const jwt = await mintToken(secret, {
    sub: values.sub,
    tenant: values.tenant,
    admin: values.admin,
    issuer: config.auth.issuer,
    audience: config.auth.audience,
    expiresIn: /^\d+$/.test(values['expires-in']!) ? Number(values['expires-in']) : values['expires-in']!,
  });
  process.stdout.write(`${jwt}\n`);
}

async function provision(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      'dry-run': { type: 'boolean', default: false },
      cloudformation: { type: 'boolean', default: false },
      'print-lfs-policy': { type: 'boolean', default: false },
      'lfs-principal': { type: 'string' },
      'create-lfs-policy': { type: 'boolean', default: false },
      'create-access-key': { type: 'boolean', default: false },
      target: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  // Loaded on demand, as `serve` is: the KMS and IAM clients are for provisioning only.
  const { provisionUsage, runProvision } = await import('./provision/command.js');
  if (values.help) return void process.stdout.write(`${provisionUsage}\n`);
  if (values['lfs-principal'] !== undefined && !/^arn:aws[a-z-]*:iam::\d{12}:(user|role)\/\S+$/.test(values['lfs-principal'])) {
    throw new UsageError('--lfs-principal must be an IAM user or role ARN (arn:aws:iam::<account>:user/<name> or :role/<name>)');
  }
  if (values.target !== undefined && values.target !== 'aws' && values.target !== 'ceph') throw new UsageError('--target must be aws or ceph');
  // The target is the engine LFS will run on: the same setting, given on the command line.
  if (values.target) process.env.LFS_S3_ENGINE = values.target;
  await runProvision(
    {
      dryRun: values['dry-run'],
      cloudformation: values.cloudformation,
      printLfsPolicy: values['print-lfs-policy'],
      lfsPrincipal: values['lfs-principal'],
      createLfsPolicy: values['create-lfs-policy'],
      createAccessKey: values['create-access-key'],
    },
    settings(),
    (text) => process.stdout.write(text),
  );
}

async function localAws(args: string[], config: Config): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string', default: String(config.aws.localPort) },
      host: { type: 'string', default: config.host },
      'data-dir': { type: 'string', default: config.aws.localDataDir },
      // Behind a TLS-terminating proxy, requests count as aws:SecureTransport.
      'secure-transport': { type: 'boolean', default: config.aws.localSecureTransport },
      'max-uploads-per-key': { type: 'string', default: String(config.aws.localMaxUploadsPerKey) },
    },
  });
  const maxUploadsPerKey = Number(values['max-uploads-per-key']);
  if (!Number.isInteger(maxUploadsPerKey) || maxUploadsPerKey < 1) throw new UsageError('--max-uploads-per-key must be a positive integer');
  const { createLocalAws } = await import('@lfs/local-aws');
  const endpoint = createLocalAws({
    dataDir: resolve(values['data-dir']!),
    port: Number(values.port),
    host: values.host,
    rootCredentials: config.aws.localRootCredentials && { ...config.aws.localRootCredentials },
    secureTransport: values['secure-transport'],
    maxUploadsPerKey,
  });
  await endpoint.start();
  process.stdout.write(
    `Embedded AWS endpoint (S3, STS, SQS) at ${endpoint.url}\n` +
      `  region: ${endpoint.region}\n  AWS_ACCESS_KEY_ID=${endpoint.rootCredentials.accessKeyId}\n` +
      `  AWS_SECRET_ACCESS_KEY=${endpoint.rootCredentials.secretAccessKey}\n`,
  );
  const stop = () => endpoint.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

class UsageError extends Error {}

/** node:util parseArgs refuses an unknown or malformed flag with one of these codes. */
const isParseArgsError = (error: unknown) => /^ERR_PARSE_ARGS_/.test((error as { code?: string }).code ?? '');

run(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof UsageError || isParseArgsError(error)) {
    process.stderr.write(`${(error as Error).message}\n\n${usage}\n`);
    process.exit(2);
  }
  // A problem with the account or the settings is one line naming the resource and its fix, not a stack trace.
  if ((error as Error | undefined)?.name === 'ProvisionError') {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  }
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
