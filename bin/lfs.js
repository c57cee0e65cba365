#!/usr/bin/env -S node --expose-gc
// The CLI is TypeScript run through tsx, so a fresh clone needs no build step;
// the workspace packages (packages/*) are taken from their TypeScript source
// too, through their "@lfs/source" export condition. --expose-gc: `lfs serve`
// embeds the AWS endpoint, which collects its streaming garbage every few MiB.
import { register as registerHooks } from 'node:module';
import { register } from 'tsx/esm/api';

register();
registerHooks('data:text/javascript,export function resolve(s,c,n){return n(s,{...c,conditions:[...c.conditions,"@lfs/source"]})}');
await import('../src/cli.ts');
