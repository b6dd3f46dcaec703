// `modelship build`'s runtime image when this release's is not published (or --from-package):
// built once from the installed package and tagged by its content, so that every model built
// by this copy of the command is layered onto the same local image.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runtimeImage } from '@modelship/inference';
import { failure } from '../errors.ts';
import type { CommandIo } from '../io.ts';
import { type Engine, localImagePlatform, runEngine } from './engine.ts';
import {
  type PackageParts,
  type Platform,
  planRuntimeContext,
  writeRuntimeContext,
} from './package-context.ts';

/**
 * Resolves the tag of the runtime image built from the package for `platform`: the local one
 * when it exists, else built now (its base pulled first if the engine lacks it). `why` opens
 * the progress line that says so ("..., building it"); `parts` are {@link packageParts}.
 *
 * @throws {CliError} (exit 1) when the package lacks a part, the base cannot be pulled or the
 * build fails; nothing is left behind (no context, no tag).
 */
export async function buildRuntimeFromPackage(
  engine: Engine,
  platform: Platform,
  why: string,
  io: CommandIo,
  parts: PackageParts | undefined,
): Promise<string> {
  if (!parts) {
    throw failure(
      'this copy of modelship carries no runtime image (dist/service, dist/runtime): build it first (pnpm --filter @modelship/cli build) or name a runtime image with --base REF',
    );
  }
  const plan = await planRuntimeContext(parts, platform).catch((error: Error) => {
    throw failure(`cannot build the runtime image from the installed package: ${error.message}`);
  });
  if (localImagePlatform(engine, plan.tag) !== undefined) {
    io.err(`using the runtime image ${plan.tag}, built from the installed package before`);
    return plan.tag;
  }
  io.err(`${why} from the installed package as ${plan.tag}`);
  if (localImagePlatform(engine, plan.base) !== platform) {
    const code = await runEngine(engine, ['pull', '--platform', platform, plan.base], io.cwd, io);
    if (code !== 0) {
      throw failure(
        `the runtime image's base ${plan.base} (${platform}) could not be pulled (${engine} pull exit ${code}; its output is above): log in to its registry or make it reachable, or layer the model onto a runtime image you have with --base REF`,
      );
    }
  }
  const context = await mkdtemp(join(tmpdir(), 'modelship-runtime-'));
  try {
    await writeRuntimeContext(plan, context);
    const { version } = runtimeImage;
    const code = await runEngine(
      engine,
      [
        ...['build', '--tag', plan.tag, '--platform', platform],
        // as podman-build.sh: the label too, which a cached LABEL layer cannot keep stale
        ...['--build-arg', `VERSION=${version}`, '--build-arg', `REVISION=${plan.revision}`],
        ...['--label', `org.opencontainers.image.version=${version}`],
        ...['--label', `org.opencontainers.image.revision=${plan.revision}`],
        context,
      ],
      context,
      io,
    );
    if (code !== 0) {
      throw failure(
        `${engine} build of the runtime image ${plan.tag} failed (exit ${code}); its output is above. Or layer the model onto a runtime image you have with --base REF`,
      );
    }
  } finally {
    await rm(context, { recursive: true, force: true });
  }
  return plan.tag;
}
