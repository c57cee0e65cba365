import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { generate } from '@graphql-codegen/cli';
import { buildSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/api/schema/index.js';
import { printSortedSchema } from '../../src/api/schema-sdl.js';
import codegenConfig from '../../codegen.js';
import { contractProblems, graphqlBlockOf } from './contract-check.js';

const repoFile = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));
const sharedApiMd = repoFile('../shared/API.md');
const contractCopy = repoFile('test/contract/api-contract.graphql');
/** The copy minus its header comment, for comparison with API.md's block. */
const withoutHeader = (sdl: string) => sdl.replace(/^(#.*\n)+\n/, '');

describe('schema contract', () => {
  it('schema.graphql is what `npm run schema` prints (run it after changing the schema)', async () => {
    expect(await readFile(repoFile('schema.graphql'), 'utf8')).toBe(printSortedSchema());
  });

  it("the client's typed documents (build output in src/client/gql/) are what `npm run codegen` prints from schema.graphql (run it after changing either)", async () => {
    const outputs: Array<{ filename: string; content: string }> = await generate({ ...codegenConfig, cwd: repoFile(''), silent: true }, false);
    expect(outputs.length).toBeGreaterThan(0);
    for (const { filename, content } of outputs) expect(await readFile(repoFile(filename), 'utf8'), filename).toBe(content);
  });

  it('has every type, field, argument and enum value of the checked-in contract copy', async () => {
    expect(contractProblems(await readFile(contractCopy, 'utf8'), schema)).toEqual([]);
  });

  it.skipIf(!existsSync(sharedApiMd))('has everything of ../shared/API.md, and the copy is up to date', async () => {
    const block = graphqlBlockOf(await readFile(sharedApiMd, 'utf8'));
    expect(block, 'API.md has a ```graphql block').toBeDefined();
    expect(contractProblems(block!, schema)).toEqual([]);
    expect(withoutHeader(await readFile(contractCopy, 'utf8'))).toBe(block);
  });

  it('the checker notices what is missing or different', () => {
    const actual = buildSchema(`
      enum Color { RED }
      type Thing { id: ID, name: String! }
      type Query { things(first: Int = 5, filter: String!): [Thing!]! }
    `);
    const problems = contractProblems(
      `
      enum Color { RED GREEN }
      type Thing { id: ID!, name: String!, size: Int }
      input Missing { x: Int }
      type Query { things(first: Int = 20, after: String): [Thing!]! }
    `,
      actual,
    );
    expect(problems.sort()).toEqual(
      [
        'Thing.id is ID, the contract says ID!',
        'missing argument Query.things(after:)',
        'Query.things(first:) defaults to 5, the contract says 20',
        'Query.things(filter:) is required but not in the contract',
        'missing enum value Color.GREEN',
        'missing field Thing.size',
        'missing input Missing',
      ].sort(),
    );
  });
});
