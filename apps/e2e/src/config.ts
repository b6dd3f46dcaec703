import { fileURLToPath } from 'node:url';

/** The repository root (three levels above this file: apps/e2e/src). */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** Settings of the end-to-end harness, read once from the environment. */
export interface E2eConfig {
  /** `CI=true`: a missing binary (nginx, chromium) fails the run instead of skipping. */
  readonly ci: boolean;
  /** Folder holding the synthesized `*.k8s.yaml` files. @default `<repo>/dist` */
  readonly manifestDir: string;
  /** Which synthesized chart to run (`<chart>.k8s.yaml`). @default the only one, else 'gke' */
  readonly chart: string | undefined;
  /** Keep each local pod's temporary folder (configs, logs) after the tests, for debugging. */
  readonly keepPodDirs: boolean;
  /** The nginx binary (Debian's). @default '/usr/sbin/nginx' */
  readonly nginxPath: string;
  /** Serve this model folder instead of the bundled one (the image's). @default the bundled model */
  readonly modelDir: string | undefined;
  /** The Chromium binary (Debian's). @default '/usr/bin/chromium' */
  readonly chromiumPath: string;
}

/**
 * Reads the harness settings from an environment (default `process.env`); the only place in
 * this package that reads it. Variables: `CI`, `E2E_MANIFEST_DIR`, `E2E_CHART`, `E2E_KEEP`,
 * `E2E_NGINX`, `E2E_CHROMIUM`, `E2E_MODEL_DIR`.
 */
export function loadE2eConfig(env: NodeJS.ProcessEnv = process.env): E2eConfig {
  const text = (name: string) => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  return {
    ci: text('CI') === 'true',
    manifestDir: text('E2E_MANIFEST_DIR') ?? `${repoRoot}dist`,
    chart: text('E2E_CHART'),
    keepPodDirs: ['1', 'true', 'yes'].includes(text('E2E_KEEP')?.toLowerCase() ?? ''),
    nginxPath: text('E2E_NGINX') ?? '/usr/sbin/nginx',
    modelDir: text('E2E_MODEL_DIR'),
    chromiumPath: text('E2E_CHROMIUM') ?? '/usr/bin/chromium',
  };
}
