import { defineConfig } from 'vitest/config';
import { sourceConditions } from './packages/local-aws/vitest.config.js';

/** `npm test` runs LFS's suite and, as a project of its own, the endpoint's (packages/local-aws). */
export default defineConfig({
  test: {
    // Vitest's default on two cores is one worker (cores - 1), which leaves the cores idle while tests wait on
    // sockets and child processes; three keep both busy, so the suite fits CI's budget twice (Node 20 and 24).
    maxWorkers: 3,
    projects: [
      {
        resolve: {
          // Vitest would otherwise load graphql twice (ESM and CJS builds) and fail with
          // "Cannot use GraphQLSchema from another module or realm".
          alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
        },
        ssr: { resolve: { conditions: sourceConditions } },
        test: {
          name: 'lfs',
          include: ['test/**/*.test.ts'],
          // LFS's tests run LFS and the embedded endpoint from source: the bundles they serve and run are rebuilt first;
          // and one PostgreSQL is started for the tests that run against it.
          globalSetup: ['packages/local-aws/test/setup/sealing-worker.ts', 'test/setup/upload-page.ts', 'test/setup/postgres.ts'],
          // Bounds on failure, not measures of speed: sized for two busy cores (benchmarks measure speed).
          testTimeout: 300_000,
          hookTimeout: 300_000,
          pool: 'forks',
          // The pinned SDK works on Node 20; its notice about future releases is noise in test output.
          env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
        },
      },
      'packages/local-aws',
    ],
  },
});
