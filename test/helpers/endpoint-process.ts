import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { START_TIMEOUT_MS } from './waits.js';

const main = fileURLToPath(new URL('./endpoint-main.ts', import.meta.url));

export interface EndpointProcess {
  child: ChildProcess;
  url: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  dockKeyArn: string;
  vaultKeyArn: string;
  /** The settings an LFS instance needs to use this endpoint instead of embedding one. */
  lfsEnv: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * The AWS-compatible endpoint in a process of its own, with LFS's keys and
 * upload role, as several LFS instances share one AWS account.
 */
export async function spawnEndpoint(dataDir: string): Promise<EndpointProcess> {
  const child = spawn(process.execPath, ['--expose-gc', '--conditions=@lfs/source', '--import', 'tsx', main, dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env },
  });
  let output = '';
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await new Promise<{ url: string; credentials: EndpointProcess['credentials']; dockKeyArn: string; vaultKeyArn: string }>(
    (resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`the endpoint did not start:\n${output}`));
      }, START_TIMEOUT_MS);
      child.stdout!.on('data', (chunk) => {
        output += chunk;
        const line = output.split('\n').find((candidate) => candidate.startsWith('{'));
        if (line && output.includes('\n')) {
          clearTimeout(timer);
          resolve(JSON.parse(line));
        }
      });
      void exited.then(() => reject(new Error(`the endpoint exited before it was ready:\n${output}`)));
    },
  );
  return {
    child,
    ...ready,
    lfsEnv: {
      LFS_LOCAL_AWS: 'false',
      LFS_AWS_ENDPOINT: ready.url,
      LFS_AWS_ACCESS_KEY_ID: ready.credentials.accessKeyId,
      LFS_AWS_SECRET_ACCESS_KEY: ready.credentials.secretAccessKey,
      LFS_DOCK_KMS_KEY_ID: ready.dockKeyArn,
      LFS_VAULT_KMS_KEY_ID: ready.vaultKeyArn,
      // The endpoint is provisioned with the default settings; a test's own (a shorter visibility) are applied at start.
      LFS_PROVISION_ON_START: 'true',
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
