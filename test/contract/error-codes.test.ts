import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { errorCodes } from '../../src/errors.js';

/** The project's public contract, copied into the repository so that no test reads a file outside it. */
const contract = fileURLToPath(new URL('./API.md', import.meta.url));

describe('error code contract', () => {
  it('every code the contract (test/contract/API.md) promises is in the error table', async () => {
    const text = await readFile(contract, 'utf8');
    const section = text.slice(text.indexOf('Errors carry `extensions.code`'), text.indexOf('Authentication:'));
    const promised = [...section.matchAll(/`([A-Z_]+)`/g)].map((match) => match[1]);
    expect(promised.length).toBeGreaterThanOrEqual(6);
    expect(Object.keys(errorCodes)).toEqual(expect.arrayContaining(promised));
  });

  it.each(Object.entries(errorCodes))('%s maps to an HTTP status and a message that reveals nothing', (_code, { http, message }) => {
    expect(http).toBeGreaterThanOrEqual(400);
    expect(message).not.toMatch(/sql|stack|\/|aws/i);
  });
});
