/**
 * The embedded endpoint as its own process, set up as an operator would set
 * up AWS for LFS: the two KMS keys and the upload role (the buckets and
 * queues LFS creates at start). Prints one JSON line with what LFS needs.
 * Run by test/helpers/endpoint-process.ts.
 */
import { createLocalAws } from '@lfs/local-aws';
import { buildUploadRolePolicy } from '../../src/credentials/session-policy.js';

const endpoint = createLocalAws({ dataDir: process.argv[2], port: 0, maxUploadsPerKey: 10 });
await endpoint.start();
const dockKeyArn = endpoint.ensureKey('alias/lfs-dock').arn;
const vaultKeyArn = endpoint.ensureKey('alias/lfs-vault').arn;
endpoint.putRole({ name: 'lfs-upload', policies: [buildUploadRolePolicy('lfs-dock', dockKeyArn)], maxSessionDurationSeconds: 43_200 });
process.stdout.write(`${JSON.stringify({ url: endpoint.url, credentials: endpoint.rootCredentials, dockKeyArn, vaultKeyArn })}\n`);
const stop = () => void endpoint.stop().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
