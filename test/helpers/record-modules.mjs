// Loaded with `node --import` into a process under test: appends the URL of
// every module the process resolves (ES modules, TypeScript through tsx
// included) to the file named by LFS_TEST_MODULE_LOG, one per line, so a
// test can tell what that process loaded.
import { register } from 'node:module';

const hooks = `
import { appendFileSync } from 'node:fs';
let log;
export function initialize(file) {
  log = file;
}
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(log, resolved.url + '\\n');
  return resolved;
}`;

register(`data:text/javascript,${encodeURIComponent(hooks)}`, { data: process.env.LFS_TEST_MODULE_LOG });
