import { defineConfig } from 'vitest/config';

// The command's tests run real subprocesses (the bin, a stand-in image engine, the service) and
// real onnxruntime sessions: on a loaded 2-core machine one takes seconds, not milliseconds.
export default defineConfig({
  test: { testTimeout: 30_000, hookTimeout: 60_000 },
});
