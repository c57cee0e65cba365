#!/usr/bin/env -S node --expose-gc
// `lfs`: runs the build (dist/), which `npm install` makes through the prepare
// script, so production loads neither TypeScript nor a bundler. `#cli` is the
// TypeScript source instead when Node runs with --conditions=@lfs/source and a
// TypeScript loader (npm run dev, and the tests that start LFS as a process).
// --expose-gc: `lfs serve` embeds the AWS endpoint, which collects its
// streaming garbage every few MiB (packages/local-aws/src/sealing/garbage.ts).
await import('#cli');
