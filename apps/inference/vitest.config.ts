import { defineConfig } from 'vitest/config';

// Many of the service's tests run real HTTP servers, child processes and onnxruntime sessions:
// milliseconds alone, seconds when CI tests every package at once on two cores. A test that
// hangs still fails, after 30 s instead of vitest's 5 s.
export default defineConfig({
  test: { testTimeout: 30_000, hookTimeout: 60_000 },
});
