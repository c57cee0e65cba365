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
/** The project's public contract, copied into the repository so that no test reads a file outside it. */
const contract = repoFile('test/contract/API.md');

describe('schema contract', () => {
  it('schema.graphql is what `npm run schema` prints (run it after changing the schema)', async () => {
    expect(await readFile(repoFile('schema.graphql'), 'utf8')).toBe(printSortedSchema());
  });

  it("the upload page's typed documents are what `npm run codegen` prints from schema.graphql (run it after changing either)", async () => {
    const outputs: Array<{ filename: string; content: string }> = await generate({ ...codegenConfig, cwd: repoFile(''), silent: true }, false);
    expect(outputs.length).toBeGreaterThan(0);
    for (const { filename, content } of outputs) expect(await readFile(repoFile(filename), 'utf8'), filename).toBe(content);
  });

  it('has every type, field, argument and enum value of the contract (test/contract/API.md)', async () => {
    const block = graphqlBlockOf(await readFile(contract, 'utf8'));
    expect(block, 'the contract has a ```graphql block').toBeDefined();
    expect(contractProblems(block!, schema)).toEqual([]);
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
