import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed documents for the TypeScript client, from the checked-in schema.graphql
 * (never from a running server, so codegen works offline and in CI).
 */
const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['src/client/**/*.ts', '!src/client/gql/**'],
  // The client may have no operations yet; that is not an error.
  ignoreNoDocuments: true,
  // NodeNext resolution needs the `.js` suffix on relative imports.
  emitLegacyCommonJSImports: false,
  generates: {
    'src/client/gql/': {
      preset: 'client',
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
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
