import { defineConfig } from 'vitest/config';

/**
 * Each scenario file starts its own local pod (real nginx + the built service), so files run
 * in parallel workers and hooks get time for process start-up and the termination sequence.
 */
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
  },
});
