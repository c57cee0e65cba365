import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { schema } from '../src/api/schema/index.js';

/** The SDL `schema.graphql` must hold: sorted so diffs show real changes only. */
export function printSortedSchema(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}

const target = fileURLToPath(new URL('../schema.graphql', import.meta.url));
await writeFile(target, printSortedSchema());
console.log(`wrote ${target}`);
