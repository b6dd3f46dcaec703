import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runtimeImage } from '@modelship/inference';
import { parseImageReference } from '@modelship/k8s';
import { defineCommand } from '../args.ts';
import { writeModelContext } from '../build/context.ts';
import { chooseEngine, ENGINES, runEngine } from '../build/engine.ts';
import { buildRuntimeFromPackage } from '../build/from-package.ts';
import { buildRuntimeFromSource } from '../build/from-source.ts';
import { PACKAGE_RUNTIME_REPOSITORY, PLATFORMS, packageParts } from '../build/package-context.ts';
import { runtimeSource } from '../build/runtime-source.ts';
import { diagnoseModelDir, formatProblems } from '../diagnose.ts';
import { failure, usageError } from '../errors.ts';
import { inferenceCheckout } from '../inference-checkout.ts';
import { resolvePath } from '../io.ts';

/** `modelship build`. */
export const buildCommand = defineCommand({
  name: 'build',
  summary: 'an image of the model: the runtime image plus one layer of model files',
  args: ['DIR'],
  flags: {
    image: {
      type: 'string',
      value: 'IMAGE',
      required: true,
      help: 'the image to tag, NAME:TAG (e.g. REGION-docker.pkg.dev/PROJECT/REPO/churn:1.0.0)',
    },
    base: {
      type: 'string',
      value: 'REF',
      help: `the runtime image to layer the model onto (default: this release's, ${runtimeImage.reference}, once published; until then one built from this package, as --from-package)`,
    },
    'from-package': {
      type: 'boolean',
      help: `build the runtime image from this installed package (once, tagged ${PACKAGE_RUNTIME_REPOSITORY}:VERSION-HASH and reused) and layer the model onto it; the default while this release's runtime image is not published`,
    },
    platform: {
      type: 'string',
      value: 'PLATFORM',
      choices: PLATFORMS,
      help: "the image's platform (default: linux/amd64 for a runtime image built from the package, else the engine's)",
    },
    engine: {
      type: 'string',
      value: 'ENGINE',
      choices: ENGINES,
      help: 'the image builder, by default docker if installed, else podman',
    },
    'from-source': {
      type: 'boolean',
      help: "build the runtime image from this repository checkout's apps/inference/Dockerfile first, and layer the model onto it (developing the service itself)",
    },
    push: { type: 'boolean', help: 'push IMAGE once it is built (log in to its registry first)' },
  },
  description: `Builds an image that serves the model directory DIR: a small build context in a temporary
folder (DIR's model.onnx and its weights' side files, schema.json, profile.json and
model-card.md, and a Dockerfile FROM the runtime image, COPY of those files to /model,
MODEL_DIR=/model and the model's labels) built with docker or podman. Every layer but the
model's is the runtime image's, so it builds in seconds and needs no repository checkout.
DIR is checked as the server would load it first. The runtime image is this release's
(${runtimeImage.reference}) once published, pulled by the engine if it is not local. Until
then (and with --from-package) the command builds it from what this package carries (the
service, onnxruntime-node for the target platform, the Dockerfile's runtime stage, FROM its
distroless Node base, pulled if not local) and tags it ${PACKAGE_RUNTIME_REPOSITORY}:VERSION-HASH:
once per release and platform, later builds reuse it. --base names another runtime image;
--from-source builds it from this repository (localhost/modelship-inference:VERSION-source),
for changes to the service itself.`,
  examples: [
    'modelship build models/churn --image us-central1-docker.pkg.dev/acme/models/churn:1.0.0 --push',
    'modelship build models/churn --image localhost/churn:dev --engine podman --platform linux/arm64',
    'modelship build models/churn --image localhost/churn:dev --base ghcr.io/acme/modelship-inference:0.1.0',
    'modelship build models/churn --image localhost/churn:dev --engine podman --from-source',
  ],
  async run({ positionals: [dirArg], values }, io) {
    const { image, base: baseFlag, engine: engineFlag, platform: platformFlag, push } = values;
    const reference = parseImageReference(image);
    if (!reference || reference.tag === undefined || reference.digest !== undefined) {
      throw usageError(
        `--image ${image}: must be an image name with a tag, NAME:TAG (e.g. us-central1-docker.pkg.dev/PROJECT/REPO/churn:1.0.0)`,
      );
    }
    if (baseFlag !== undefined && !parseImageReference(baseFlag)) {
      throw usageError(`--base ${baseFlag}: must be an image reference, NAME[:TAG][@DIGEST]`);
    }
    const source = runtimeSource(
      { base: baseFlag, fromSource: values['from-source'], fromPackage: values['from-package'] },
      runtimeImage,
    );
    const engine = chooseEngine(engineFlag);
    const inferenceDir = source.kind === 'source' ? inferenceCheckout('build --from-source') : '';
    const dir = resolvePath(io, dirArg);
    const diagnosis = await diagnoseModelDir(dir);
    if (!diagnosis.ok) throw failure(formatProblems(dir, diagnosis.problems));
    const { identity } = diagnosis.model;
    await diagnosis.model.release();

    // A runtime image built here for a platform is a local image of that platform: the model's
    // build must ask for the same one (the engine would otherwise look for the host's).
    const platform = platformFlag ?? (source.kind === 'package' ? 'linux/amd64' : undefined);
    const base =
      source.kind === 'source'
        ? await buildRuntimeFromSource(engine, inferenceDir, io, platform)
        : source.kind === 'package'
          ? await buildRuntimeFromPackage(
              engine,
              platform ?? 'linux/amd64',
              source.why,
              io,
              packageParts(),
            )
          : source.reference;
    const context = await mkdtemp(join(tmpdir(), 'modelship-build-'));
    try {
      const files = await writeModelContext(dir, context, base, identity);
      io.err(
        `building ${image}: ${identity.name} ${identity.version} (${files.join(', ')}) on ${base}`,
      );
      const code = await runEngine(
        engine,
        ['build', '--tag', image, ...(platform ? ['--platform', platform] : []), context],
        context,
        io,
      );
      if (code !== 0) {
        // Most often a named runtime image: not pulled (no access to its registry) or not built.
        throw failure(
          `${engine} build failed (exit ${code}); its output is above.${source.kind === 'reference' ? ` The runtime image ${base} must be local or pullable: ${engine} pull ${base}, or choose one with --base REF (or --from-package)` : ''}`,
        );
      }
      if (push) {
        const code = await runEngine(engine, ['push', image], context, io);
        if (code !== 0) {
          throw failure(
            `${engine} push ${image} failed (exit ${code}); the image is built: log in to its registry (${engine} login), then ${engine} push ${image}`,
          );
        }
      }
    } finally {
      await rm(context, { recursive: true, force: true });
    }
    io.out(image);
    return 0;
  },
});
