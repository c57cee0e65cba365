import type { Command } from 'commander';
import { settings, UsageError } from './runtime.js';

interface TokenFlags {
  sub: string;
  tenant?: string;
  admin?: boolean;
  expiresIn: string;
}

export function registerToken(program: Command): void {
  program
    .command('token')
    .summary("print a development token signed with the data folder's secret")
    .description(
      "Prints a bearer token signed with LFS_AUTH_SECRET, else the secret LFS generated into its data folder (LFS_DATA_DIR; created if missing), with LFS_AUTH_ISSUER and LFS_AUTH_AUDIENCE. Not for identity providers' tokens (LFS_AUTH_JWKS_URL).",
    )
    .requiredOption('--sub <subject>', 'who the token is for (the owner of what it uploads)')
    .option('--tenant <tenant>', 'the tenant (default: "default")')
    .option('--admin', 'an admin of the tenant')
    .option('--expires-in <span>', 'seconds, or a span such as 30m, 12h, 7d', '12h')
    .action(async (flags: TokenFlags) => {
      if (!/^\d+$|^\d+\s*[a-z]+$/i.test(flags.expiresIn)) throw new UsageError(`--expires-in: seconds or a span such as 30m, 12h, 7d, not ${flags.expiresIn}`);
      const config = await settings();
      const [{ loadOrCreateSecret }, { mintToken }] = await Promise.all([import('../auth/secret.js'), import('../auth/tokens.js')]);
      const secret = config.auth.secret ?? (await loadOrCreateSecret(config.dataDir));
      const jwt = await mintToken(secret, {
        sub: flags.sub,
        tenant: flags.tenant,
        admin: flags.admin,
        issuer: config.auth.issuer,
        audience: config.auth.audience,
        expiresIn: /^\d+$/.test(flags.expiresIn) ? Number(flags.expiresIn) : flags.expiresIn,
      });
      process.stdout.write(`${jwt}\n`);
    });
}
