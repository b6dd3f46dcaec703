import { defineConfig } from 'vitest/config';

// The benchmark's tests start real servers, nginx and child processes that burn CPU on
// purpose: on a busy 2-core machine the default 5 s hang guard is reached before they end.
export default defineConfig({
  test: { testTimeout: 30_000, hookTimeout: 60_000 },
});
