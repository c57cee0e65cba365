#!/usr/bin/env node
// `#cli` is the build (dist/), or the TypeScript source when Node runs with
// --conditions=@lfs/source and a TypeScript loader.
const { main } = await import('#cli');
await main(process.argv.slice(2));
