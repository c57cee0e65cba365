import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';
import noImportCycle from './eslint/no-import-cycle.js';

/**
 * What each folder of src/ may not import: dependencies point inward,
 * from the transports (api, http, web) through the use cases (uploads,
 * promotion, cleanup) to the domain (files), which imports none of them.
 * Adapters (db, aws) are chosen by the composition root (app.ts, services.ts).
 */
const mayNotImport = {
  files: ['api', 'http', 'web', 'aws', 'db', 'uploads', 'promotion', 'cleanup', 'credentials', 'auth', 'config', 'config.ts'],
  db: ['api', 'http', 'web', 'aws', 'uploads', 'promotion', 'cleanup', 'credentials', 'auth'],
  auth: ['api', 'http', 'web', 'aws', 'db', 'uploads', 'promotion', 'cleanup', 'credentials'],
  credentials: ['api', 'http', 'web', 'aws', 'db', 'uploads', 'promotion', 'cleanup', 'auth'],
  promotion: ['api', 'http', 'web', 'db', 'uploads', 'cleanup', 'auth'],
  uploads: ['api', 'http', 'web', 'db', 'promotion', 'cleanup'],
  cleanup: ['api', 'http', 'web', 'db', 'uploads'],
  aws: ['api', 'http', 'web', 'db', 'uploads', 'promotion', 'cleanup', 'auth', 'provision'],
  provision: ['api', 'http', 'web', 'db', 'uploads', 'promotion', 'cleanup', 'auth'],
  api: ['http', 'web', 'db', 'aws', 'promotion', 'cleanup'],
  http: ['api', 'db', 'aws', 'promotion', 'cleanup', 'credentials'],
  events: ['api', 'http', 'web', 'db', 'uploads', 'promotion', 'cleanup', 'credentials', 'auth', 'provision'],
  web: ['api', 'http', 'db', 'aws', 'uploads', 'promotion', 'cleanup', 'credentials', 'auth', 'files'],
  // The client runs in browsers and other people's Node programs: it speaks only the public API, never LFS's insides.
  client: ['api', 'http', 'web', 'db', 'aws', 'uploads', 'promotion', 'cleanup', 'credentials', 'auth', 'files', 'config', 'config.ts', 'errors.ts', 'logger.ts', 'disposal.ts', 'failpoints.ts'],
};
/** What only starts things: no folder imports it (but cli/, whose `lfs serve` runs main.ts). */
const compositionRoot = ['app.ts', 'services.ts', 'main.ts', 'cli.ts'];

export default tseslint.config(
  { ignores: ['node_modules/', 'src/client/gql/', '.lfs/', 'coverage/', 'dist/', 'packages/*/dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  // Plain-JS entry points and build scripts run on Node (TypeScript files get Node's types from tsconfig).
  { files: ['**/*.js', '**/*.mjs'], languageOptions: { globals: { process: 'readonly', URL: 'readonly', console: 'readonly' } } },
  {
    rules: {
      // Test helpers and wire formats deal in untyped JSON; `any` is allowed where it is explicit.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['src/**/*.ts'],
    // The embedded endpoint is its own package with its own layout.
    ignores: ['src/local-aws/**'],
    plugins: { 'import-x': importX, lfs: { rules: { 'no-import-cycle': noImportCycle } } },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver()] },
    rules: {
      'lfs/no-import-cycle': 'error',
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            ...Object.entries(mayNotImport).map(([target, from]) => ({
              target: `./src/${target}`,
              from: from.map((folder) => `./src/${folder}`),
              message: `src/${target} may not depend on it: dependencies point inward (see mayNotImport in eslint.config.js).`,
            })),
            { target: './src/!(cli)/**', from: compositionRoot.map((file) => `./src/${file}`), message: 'Only the composition root wires the parts together.' },
            { target: './src/!(cli)/**', from: './src/cli', message: 'src/cli is the `lfs` command: nothing imports it.' },
          ],
        },
      ],
    },
  },
);
