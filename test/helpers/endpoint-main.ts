/**
 * The embedded endpoint as its own process, set up as an operator would set
 * up AWS for LFS with `lfs provision` (keys, upload role, buckets, queues,
 * with the default settings). Prints one JSON line with what LFS needs.
 * Run by test/helpers/endpoint-process.ts.
 */
import { createLocalAws } from '@lfs/local-aws';
import { loadConfig } from '../../src/config.js';
import { externalEnv, provisionWith } from './provisioned.js';

const endpoint = createLocalAws({ dataDir: process.argv[2], port: 0, maxUploadsPerKey: 10 });
await endpoint.start();
await provisionWith(loadConfig(externalEnv(endpoint)));
process.stdout.write(
  `${JSON.stringify({ url: endpoint.url, credentials: endpoint.rootCredentials, dockKeyArn: endpoint.ensureKey('alias/lfs-dock').arn, vaultKeyArn: endpoint.ensureKey('alias/lfs-vault').arn })}\n`,
);
const stop = () => void endpoint.stop().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
