import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.mts'],
    // Unit tests talk to an in-process emulator whose tasks take ~150 ms; waits add polling delays.
    testTimeout: 30_000,
  },
});
