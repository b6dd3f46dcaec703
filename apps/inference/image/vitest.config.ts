// The image tests: slow and machine-dependent (podman, debootstrap, root), so they are not
// part of the service's unit run (their files are named *.image-test.ts, outside vitest's
// default pattern) and run with `pnpm test:image` instead.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('..', import.meta.url)),
    include: ['image/**/*.image-test.ts'],
    // Two cores: the bundle test and the image build must not compete.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
