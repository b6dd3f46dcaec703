import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * Each scenario file starts its own local pod (real nginx + the built service), so files run
 * in parallel workers and hooks get time for process start-up and the termination sequence.
 * Most of a scenario's time is waiting (the termination's 30 s preStop hook, probes), not CPU:
 * at least two files run at once, even on a 2-core machine (vitest's default there is one), and
 * the six termination scenarios run at once (vitest's default is five), each about 45 s.
 */
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    maxWorkers: Math.max(2, availableParallelism() - 1),
    maxConcurrency: 6,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
  },
});
