import type { Command } from 'commander';
import { resolve } from 'node:path';
import { integerIn, settings } from './runtime.js';

interface LocalAwsFlags {
  port?: number;
  host?: string;
  dataDir?: string;
  secureTransport?: boolean;
  maxUploadsPerKey?: number;
}

export function registerLocalAws(program: Command): void {
  program
    .command('local-aws')
    .summary('serve only the embedded AWS-compatible endpoint (S3, STS, SQS)')
    .description(
      "Serves only the embedded AWS-compatible endpoint (S3, STS, SQS, with its KMS key ring) for other tools (AWS CLI, boto3, SDKs), with LFS's settings, and prints its root credentials.",
    )
    .option('--port <port>', 'port (default: LFS_LOCAL_AWS_PORT, 4566)', integerIn(0, 65535))
    .option('--host <host>', 'listen address (default: LFS_HOST, 127.0.0.1)')
    .option('--data-dir <dir>', "where it keeps everything (default: the data folder's aws/)")
    // Behind a TLS-terminating proxy, requests count as aws:SecureTransport.
    .option('--secure-transport', 'count every request as aws:SecureTransport (behind a TLS proxy)')
    .option('--max-uploads-per-key <n>', "a key's open multipart uploads beyond this are refused (default: 10)", integerIn(1, 10_000))
    .action(async (flags: LocalAwsFlags) => {
      const config = await settings();
      const { createLocalAws } = await import('@lfs/local-aws');
      const endpoint = createLocalAws({
        dataDir: resolve(flags.dataDir ?? config.aws.localDataDir),
        port: flags.port ?? config.aws.localPort,
        host: flags.host ?? config.host,
        rootCredentials: config.aws.localRootCredentials && { ...config.aws.localRootCredentials },
        secureTransport: flags.secureTransport ?? config.aws.localSecureTransport,
        tls: config.aws.localTls,
        maxUploadsPerKey: flags.maxUploadsPerKey ?? config.aws.localMaxUploadsPerKey,
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
    });
}
