import { defineConfig } from 'vitest/config';

// Some tests here do heavy work (fast-check properties, 95,000-key bodies, a Python process):
// the default 5 s is a hang guard that a busy CI machine reaches, not a bound on their speed.
export default defineConfig({
  test: { testTimeout: 30_000, hookTimeout: 60_000 },
});
