import { defineConfig } from 'vitest/config';

// Real n8n end-to-end tests: slow, need Node 24 for n8n (installed by e2e/install-n8n.sh). `pnpm test:e2e`.
export default defineConfig({
  test: {
    include: ['e2e/**/*.test.mts'],
    testTimeout: 180_000,
    hookTimeout: 600_000,
    fileParallelism: false,
  },
});
