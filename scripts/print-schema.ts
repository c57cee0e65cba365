import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { printSortedSchema } from '../src/api/schema-sdl.js';

// `npm run schema`: regenerate schema.graphql, which clients and codegen read
// and test/contract/schema.test.ts keeps honest.
const target = fileURLToPath(new URL('../schema.graphql', import.meta.url));
await writeFile(target, printSortedSchema());
console.log(`wrote ${target}`);
