// Shared Vitest settings for every package: resolve workspace packages to their TypeScript sources
// (the `sprout-source` export condition), so tests never wait for a build.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['sprout-source'] },
  ssr: { resolve: { conditions: ['sprout-source'], externalConditions: ['sprout-source'] } },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
