import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed documents for the client's operations (src/client/, which the
 * upload page uses), from schema.graphql (never from a running server, so
 * codegen works offline and in CI). They are build output: `npm install`
 * (prepare) and `npm run codegen` write them to src/client/gql/, which git
 * ignores; a test fails when they are stale. String documents: the client
 * sends them as text and bundles no GraphQL library.
 */
const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['src/client/**/*.ts', '!src/client/gql/**'],
  // NodeNext resolution needs the `.js` suffix on relative imports.
  emitLegacyCommonJSImports: false,
  generates: {
    'src/client/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        documentMode: 'string',
        useTypeImports: true,
        enumsAsTypes: true,
        onlyOperationTypes: true,
        scalars: {
          DateTime: 'string',
          JSONObject: 'Record<string, unknown>',
          SafeInt: 'number',
        },
      },
    },
  },
};

export default config;
