// The runtime image's build context from what the installed @modelship/cli carries: its bundled
// service and model (dist/service), onnxruntime-node for the target architecture only, and
// apps/inference/Dockerfile's runtime stage (dist/runtime/Dockerfile; scripts/build.mjs).
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import servicePackage from '@modelship/inference/package.json' with { type: 'json' };
import {
  type RuntimeApp,
  resolveRuntimePackages,
  runtimeAppFiles,
  writeRuntimeApp,
} from '@modelship/inference/runtime-app.mjs';
import {
  CONTEXT_APP_DIR,
  packageRuntimeDockerfile,
  runtimeStage,
} from '@modelship/inference/runtime-stage.mjs';

/** The platforms a runtime image can be built for from the package (onnxruntime-node's linux builds). */
export const PLATFORMS = ['linux/amd64', 'linux/arm64'] as const;
export type Platform = (typeof PLATFORMS)[number];
const NODE_ARCH: Readonly<Record<Platform, string>> = {
  'linux/amd64': 'x64',
  'linux/arm64': 'arm64',
};

/** Where runtime images built from the package are tagged (local only, never pushed). */
export const PACKAGE_RUNTIME_REPOSITORY = 'localhost/modelship-runtime';

/** The package's parts that a runtime image is built from. */
export interface PackageParts {
  /** The bundled service: server.mjs, static/, model/. */
  readonly service: string;
  /** The Dockerfile's runtime stage. */
  readonly stage: string;
  /** Where onnxruntime-node resolves from (the package's dist/). */
  readonly packagesFrom: string;
  /** A file holding the commit the package was built from (scripts/build.mjs writes it). */
  readonly revision: string;
}

/**
 * The parts in dist/ beside the running command (the installed bundle runs from dist/), or in
 * apps/cli/dist when it runs from source and is built; undefined when there are none.
 */
export function packageParts(): PackageParts | undefined {
  for (const dist of ['./', '../../dist/']) {
    const dir = fileURLToPath(new URL(dist, import.meta.url));
    const parts = {
      service: join(dir, 'service'),
      stage: join(dir, 'runtime', 'Dockerfile'),
      packagesFrom: dir,
      revision: join(dir, 'runtime', 'revision'),
    };
    if (existsSync(join(parts.service, 'server.mjs')) && existsSync(parts.stage)) return parts;
  }
  return undefined;
}

/** A runtime image's context before it is written, and the tag its content names. */
export interface RuntimeContext {
  readonly app: RuntimeApp;
  readonly dockerfile: string;
  /** The runtime stage's base image. */
  readonly base: string;
  readonly platform: Platform;
  /** `localhost/modelship-runtime:VERSION-HASH`, HASH from the context's content and revision. */
  readonly tag: string;
  /** The commit the package was built from, "unknown" when it does not say. */
  readonly revision: string;
}

/**
 * Plans the runtime image's context for `platform` from `parts`: /app laid out as the
 * Dockerfile's build lays it out, and the runtime stage behind a stage holding /app's files.
 *
 * @throws {Error} naming what the package lacks (a file, the binding for that architecture).
 */
export async function planRuntimeContext(
  parts: PackageParts,
  platform: Platform,
): Promise<RuntimeContext> {
  const stage = await readFile(parts.stage, 'utf8');
  const dockerfile = packageRuntimeDockerfile(stage);
  const app = await runtimeAppFiles({
    manifest: { name: servicePackage.name, version: servicePackage.version },
    dist: parts.service,
    entry: 'server.mjs',
    packages: await resolveRuntimePackages(parts.packagesFrom),
    platform: 'linux',
    arch: NODE_ARCH[platform],
  });
  // In the tag: a label is not in the context, and an image of another commit must not be reused.
  const revision = await readFile(parts.revision, 'utf8').then(
    (text) => text.trim() || 'unknown',
    () => 'unknown',
  );
  const hash = createHash('sha256').update(dockerfile).update(app.packageJson);
  hash.update(`\0revision\0${revision}\0`);
  for (const file of app.files) {
    const content = await readFile(file.from);
    const mode = (await stat(file.from)).mode & 0o111 ? 'x' : '-';
    hash.update(`\0${file.to}\0${mode}\0${content.length}\0`).update(content);
  }
  const digest = hash.digest('hex').slice(0, 12);
  return {
    app,
    dockerfile,
    base: runtimeStage(stage).base,
    platform,
    tag: `${PACKAGE_RUNTIME_REPOSITORY}:${servicePackage.version}-${digest}`,
    revision,
  };
}

/** Writes the planned context into the empty folder `dir`: `Dockerfile` and `app/`. */
export async function writeRuntimeContext(context: RuntimeContext, dir: string): Promise<void> {
  await writeRuntimeApp(context.app, join(dir, CONTEXT_APP_DIR));
  await writeFile(join(dir, 'Dockerfile'), context.dockerfile);
}
