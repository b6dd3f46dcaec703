// The runtime image the image tests build from the unmodified Dockerfile (on the stand-ins for
// its base images), shared by the suites that need it: each builds it (podman's layer cache
// makes the second build a few seconds), so that no suite depends on another's order.
import { join } from 'node:path';
import { execOk } from './exec.ts';
import { appDir, workspaceRoot } from './workspace.ts';

/** The runtime image's tag in the image tests. */
export const runtimeTestImage = 'localhost/modelship-inference:image-test';
const minutes = 60_000;

/** Builds (or, cached, re-tags) the stand-ins of the Dockerfile's base images. */
export async function buildStandIns(): Promise<void> {
  for (const script of ['stand-in-base.sh', 'stand-in-distroless.sh']) {
    await execOk('bash', [join(appDir, 'image', script)], { echo: true, timeoutMs: 15 * minutes });
  }
}

/** Builds {@link runtimeTestImage} with podman-build.sh, labelled with HEAD; resolves HEAD. */
export async function buildRuntimeImage(): Promise<string> {
  // Read once and passed on: other commits may land while the image builds.
  const { stdout: head } = await execOk('git', ['rev-parse', 'HEAD'], { cwd: workspaceRoot });
  const revision = head.trim();
  await execOk('bash', [join(appDir, 'image/podman-build.sh'), runtimeTestImage], {
    echo: true,
    timeoutMs: 15 * minutes,
    env: { ...process.env, REVISION: revision },
  });
  return revision;
}
