import { existsSync } from 'node:fs';
import { type E2eConfig, loadE2eConfig } from '../config.ts';
import { loadManifest } from '../manifest/load-manifest.ts';
import { nginxStandIn, nodeServiceStandIn } from '../pod/images.ts';
import { type LocalPod, type LocalPodOptions, startLocalPod } from '../pod/local-pod.ts';

/** The harness settings for this test run. */
export const e2eConfig: E2eConfig = loadE2eConfig();

/**
 * Whether a binary the scenarios need is present. Missing: a warning and `false` (the caller
 * skips), except under `CI=true`, where it throws so that the run fails instead of skipping.
 */
export function requireBinary(path: string, install: string): boolean {
  if (existsSync(path)) return true;
  const message = `${path} not found (${install}; .ci/run installs it)`;
  if (e2eConfig.ci) throw new Error(`CI=true: ${message}`);
  console.warn(`skipping: ${message}`);
  return false;
}

/** True when nginx is present (or throws under CI); scenario files skip otherwise. */
export const hasNginx = (): boolean => requireBinary(e2eConfig.nginxPath, 'apt-get install nginx');

/**
 * Starts the configured chart's pod locally (see {@link startLocalPod}) with the configured
 * binaries and model; `options.manifest` replaces the configured chart's.
 */
export async function startConfiguredPod(
  options: Partial<LocalPodOptions> = {},
): Promise<LocalPod> {
  const manifest =
    options.manifest ??
    (await loadManifest({ dir: e2eConfig.manifestDir, chart: e2eConfig.chart }));
  return startLocalPod({
    manifest,
    images: [
      nginxStandIn({ binary: e2eConfig.nginxPath }),
      nodeServiceStandIn(e2eConfig.modelDir ? { modelDir: e2eConfig.modelDir } : {}),
    ],
    keepDir: e2eConfig.keepPodDirs,
    ...options,
  });
}

/**
 * {@link startConfiguredPod}, then waits until it is ready; a pod whose container could not
 * bind its port because another process took it between the port's allocation and the bind
 * (tests of several packages start servers at once) is stopped and started again on fresh
 * ports, up to `attempts` times. Any other failure is thrown at once. `readyTimeoutMs` bounds
 * each start's wait for readiness.
 */
export async function startReadyPod(
  options: Partial<LocalPodOptions> = {},
  attempts = 3,
  readyTimeoutMs = 30_000,
): Promise<LocalPod> {
  for (let attempt = 1; ; attempt += 1) {
    const pod = await startConfiguredPod(options);
    try {
      await pod.waitUntilReady(readyTimeoutMs);
      return pod;
    } catch (error) {
      await pod.stop();
      const portTaken = /Address already in use|EADDRINUSE/.test(String(error));
      if (!portTaken || attempt >= attempts) throw error;
    }
  }
}
