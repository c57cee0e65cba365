import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runLfs } from '../../helpers/cli.js';

const committed = fileURLToPath(new URL('../../../deploy/cloudformation.yaml', import.meta.url));

describe('lfs provision, the command', () => {
  it('prints its help', async () => {
    const { code, stdout } = await runLfs(['provision', '--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: lfs provision \[options\]/);
    expect(stdout).toMatch(/--dry-run .*--lfs-principal .*--create-lfs-policy .*--create-access-key .*--print-lfs-policy .*--cloudformation/s);
    expect(stdout).toContain('--create-lfs-policy');
  });

  it('prints the committed CloudFormation template with the default settings', async () => {
    const { code, stdout } = await runLfs(['provision', '--cloudformation']);
    expect(code).toBe(0);
    expect(stdout).toBe(await readFile(committed, 'utf8'));
  });

  it.each([
    [['provision', '--no-such-flag'], /unknown option '--no-such-flag'[\s\S]*Usage: lfs provision/],
    [['provision', '--lfs-principal', 'arn:aws:sts::000000000000:assumed-role/x/y'], /--lfs-principal: an IAM user or role ARN[\s\S]*Usage: lfs provision/],
  ])('is a usage error (exit 2) with %j', async (args, message) => {
    const { code, stderr } = await runLfs(args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  it('refuses, in one line, to provision the embedded endpoint LFS provisions itself', async () => {
    const { code, stdout, stderr } = await runLfs(['provision']);
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    expect(stderr).toBe('lfs provision: LFS is set to run the embedded endpoint, which it provisions itself at every start: set LFS_LOCAL_AWS=false to provision AWS (and LFS_AWS_ENDPOINT for another endpoint)\n');
  });

  it('says in one line that it cannot reach the endpoint (exit 1, no stack trace)', async () => {
    const { code, stderr } = await runLfs(['provision', '--dry-run'], { env: {
      LFS_LOCAL_AWS: 'false',
      LFS_AWS_ENDPOINT: 'http://127.0.0.1:9',
      LFS_AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
      LFS_AWS_SECRET_ACCESS_KEY: 'secret',
    } });
    expect(code).toBe(1);
    expect(stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^lfs provision: cannot reach http:\/\/127\.0\.0\.1:9 to sts:GetCallerIdentity .*: check LFS_AWS_ENDPOINT/)]);
  });

  it('names missing credentials in one line', async () => {
    const { code, stderr } = await runLfs(['provision', '--dry-run'], { env: { LFS_LOCAL_AWS: 'false', LFS_AWS_ENDPOINT: 'http://127.0.0.1:9', AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent', AWS_EC2_METADATA_DISABLED: 'true' } });
    expect(code).toBe(1);
    expect(stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^lfs provision: no AWS credentials were found to sts:GetCallerIdentity .*: set LFS_AWS_ACCESS_KEY_ID and LFS_AWS_SECRET_ACCESS_KEY, or configure the SDK credential chain/)]);
  });
});
