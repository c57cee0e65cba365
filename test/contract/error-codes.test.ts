import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { errorCodes } from '../../src/errors.js';

const sharedApiMd = fileURLToPath(new URL('../../../shared/API.md', import.meta.url));

describe('error code contract', () => {
  it.skipIf(!existsSync(sharedApiMd))('every code ../shared/API.md promises is in the error table', async () => {
    const text = await readFile(sharedApiMd, 'utf8');
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
