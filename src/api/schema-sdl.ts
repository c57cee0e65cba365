import { lexicographicSortSchema, printSchema } from 'graphql';
import { schema } from './schema/index.js';

/** The SDL `schema.graphql` holds: sorted, so a diff shows only real changes. */
export function printSortedSchema(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
