import { describe, expect, it } from 'vitest';
import { inCi, needs, type OutsideTool } from '../helpers/outside-tools.js';

const missing: OutsideTool = { name: 'the AWS CLI', path: undefined, debianPackage: 'awscli', variable: 'LFS_TEST_AWS_CLI' };

describe('a suite that needs an outside tool', () => {
  it('runs when the tool is there', () => {
    expect(needs({ ...missing, path: '/usr/bin/aws' }, { CI: 'true' })).toBe(true);
  });

  it('fails in CI when it is missing, naming the package to install', () => {
    expect(() => needs(missing, { CI: 'true' })).toThrow(/the AWS CLI is missing.*apt-get install awscli/);
  });

  it('skips elsewhere, with a notice', () => {
    const notices: string[] = [];
    expect(needs(missing, {}, (message) => notices.push(message))).toBe(false);
    expect(notices).toEqual([expect.stringMatching(/skipping the suite of the AWS CLI.*apt-get install awscli/)]);
  });

  it.each([
    ['true', true],
    ['1', true],
    ['false', false],
    ['0', false],
    ['', false],
    [undefined, false],
  ])('CI=%s counts as CI: %s', (value, expected) => {
    expect(inCi(value === undefined ? {} : { CI: value })).toBe(expected);
  });
});
