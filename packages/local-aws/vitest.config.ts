import { defineConfig } from 'vitest/config';

/**
 * `@lfs/source`, then Vitest's default server conditions (which a list given
 * here replaces; without `module`, whose bundler-only builds Node cannot
 * load): workspace packages (@lfs/checksums) resolve to their TypeScript
 * source rather than a build that may be stale. Tests run in Vite's server
 * (SSR) environment, hence `ssr.resolve`.
 */
export const sourceConditions = ['@lfs/source', 'node', 'development|production'];

export default defineConfig({
  ssr: { resolve: { conditions: sourceConditions } },
  test: {
    name: 'local-aws',
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup/sealing-worker.ts'],
    // Bounds on failure, not measures of speed: sized for two busy cores (benchmarks measure speed).
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    // The pinned SDK works on Node 20; its notice about future releases is noise in test output.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
