import type { Command } from 'commander';
import type { LfsClient, ResumeStore } from 'large-file-service/client';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CliError, settings, UsageError } from './runtime.js';

export interface ConnectionFlags {
  url?: string;
  token?: string;
}

/** --url and --token, for the commands that talk to a running LFS. */
export function withConnection(command: Command): Command {
  return command
    .option('--url <url>', 'LFS, e.g. https://lfs.example.com (env LFS_URL; default: the development server of these LFS_* settings)')
    .option('--token <jwt>', 'bearer token (env LFS_TOKEN; default: a development token signed with the data folder\'s secret)');
}

/** The GraphQL URL: a bare origin gets /graphql, where LFS serves it. */
export function graphqlUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--url: not a URL: ${text}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--url: http or https, not ${url.protocol}`);
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/graphql';
  return url.toString();
}

/**
 * Next to `npm start` nothing needs saying: the same LFS_* settings give the
 * port it serves on, and the secret it generated into the data folder signs
 * a development token for "dev" (the subject of the token its banner prints,
 * so both see the same files). Nothing is created: no secret, no folder.
 */
async function development(needToken: boolean): Promise<{ url: string; token?: string }> {
  const config = await settings();
  const host = ['0.0.0.0', '::', ''].includes(config.host) ? '127.0.0.1' : config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${config.port}/graphql`;
  if (!needToken) return { url };
  if (config.auth.jwksUrl) throw new CliError('LFS checks tokens against LFS_AUTH_JWKS_URL: give one with --token or LFS_TOKEN');
  let secret = config.auth.secret;
  if (!secret) {
    const path = join(config.dataDir, 'auth-secret');
    try {
      secret = (await readFile(path, 'utf8')).trim();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      throw new CliError(`no token: give one with --token or LFS_TOKEN (or start LFS here with \`npm start\`, which writes its secret to ${path})`);
    }
  }
  const { mintToken } = await import('../auth/tokens.js');
  return { url, token: await mintToken(secret, { sub: 'dev', issuer: config.auth.issuer, audience: config.auth.audience, expiresIn: '12h' }) };
}

/** Where LFS is and who we are: flags, then LFS_URL / LFS_TOKEN, then the development server's data folder. */
export async function resolveConnection(flags: ConnectionFlags): Promise<{ url: string; token: string }> {
  const givenUrl = flags.url ?? process.env.LFS_URL;
  const givenToken = flags.token ?? process.env.LFS_TOKEN;
  if (givenUrl && givenToken) return { url: graphqlUrl(givenUrl), token: givenToken };
  const local = await development(!givenToken);
  return { url: givenUrl ? graphqlUrl(givenUrl) : local.url, token: givenToken ?? local.token! };
}

export interface Connected {
  lfs: LfsClient;
  url: string;
}

/** Runs `work` with a client (keeping resume state in `store(url)`, else the default), closing its WebSocket afterwards whatever happens. */
export async function withClient<T>(flags: ConnectionFlags, work: (connected: Connected) => Promise<T>, options: { store?: (url: string) => Promise<ResumeStore> } = {}): Promise<T> {
  const { url, token } = await resolveConnection(flags);
  const store = await options.store?.(url);
  // The SDK's notice that its releases from 2027 need Node 22 is for developers, not for every run of a command.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // Loaded here: the client brings the AWS SDK, which the other commands do without.
  const { createLfsClient } = await import('large-file-service/client');
  const lfs = createLfsClient({ url, token, store });
  try {
    return await work({ lfs, url });
  } finally {
    await lfs.close();
  }
}
