import { defineConfig } from 'vitest/config';

// The Node-RED runtime is a process-wide singleton: one test file at a time, each in its own process.
export default defineConfig({
  test: {
    include: ['test/**/*.test.mjs'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
