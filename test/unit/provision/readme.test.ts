import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { desiredState } from '../../../src/provision/desired.js';
import { queueArnOf, type Refs } from '../../../src/provision/values.js';

const readme = fileURLToPath(new URL('../../../README.md', import.meta.url));

/** The example account the README shows LFS's policy for; the key ids are placeholders. */
function exampleRefs(): Refs {
  const account = '123456789012';
  const queue = (name: string) => queueArnOf('us-east-1', account, name);
  return {
    accountId: account,
    region: 'us-east-1',
    accountRootArn: `arn:aws:iam::${account}:root`,
    lfsPrincipalArn: `arn:aws:iam::${account}:role/lfs-service`,
    uploadRoleArn: `arn:aws:iam::${account}:role/lfs-upload`,
    dockKeyArn: `arn:aws:kms:us-east-1:${account}:key/<dock-key-id>`,
    vaultKeyArn: `arn:aws:kms:us-east-1:${account}:key/<vault-key-id>`,
    dockEventsQueueArn: queue('lfs-dock-events'),
    deadLetterQueueArn: queue('lfs-dock-events-dlq'),
    fileEventsQueueArn: queue('lfs-file-events'),
  };
}

describe('the README', () => {
  it("shows LFS's policy as provisioning generates it (not a hand-kept copy)", async () => {
    const text = await readFile(readme, 'utf8');
    const block = /<!-- lfs-policy: generated[^>]*-->\n```json\n([\s\S]*?)```/.exec(text);
    expect(block, 'the README has the marked policy block').not.toBeNull();
    const generated = desiredState(loadConfig({}), exampleRefs(), { aws: true, tls: true }).lfsPolicy;
    expect(block![1]).toBe(`${JSON.stringify(generated, null, 2)}\n`);
  });
});
