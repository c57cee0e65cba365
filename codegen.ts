import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed documents for the upload page's operations, from the checked-in
 * schema.graphql (never from a running server, so codegen works offline and
 * in CI). String documents: the page sends them as text and bundles no
 * GraphQL library.
 */
const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['src/web/browser/**/*.ts', '!src/web/browser/gql/**'],
  // NodeNext resolution needs the `.js` suffix on relative imports.
  emitLegacyCommonJSImports: false,
  generates: {
    'src/web/browser/gql/': {
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
