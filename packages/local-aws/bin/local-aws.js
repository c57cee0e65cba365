#!/usr/bin/env -S node --expose-gc
// The endpoint streams gigabytes through a small heap: --expose-gc lets it
// collect the dead buffers every few MiB instead of after 64 MB of them
// (src/sealing/garbage.ts). `#cli` is the build (dist/), or the TypeScript
// source when Node runs with --conditions=@lfs/source and a TypeScript loader.
const { main } = await import('#cli');
await main(process.argv.slice(2));
