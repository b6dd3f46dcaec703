// `modelship build --from-source`: the runtime image built from this repository checkout's
// apps/inference/Dockerfile (for developing the service itself), to layer the model onto.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandIo } from '../io.ts';
import { type Engine, runEngineOk } from './engine.ts';
import { checkoutRevision } from './revision.mjs';

const git = (workspaceRoot: string, ...args: string[]) => {
  const result = spawnSync('git', args, { cwd: workspaceRoot, encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
};

/**
 * The build arguments and labels of apps/inference/image/podman-build.sh (the same values give
 * the same cached layers): the service's version, the commit, the source, and for podman the
 * machine's extra CA bundle (a TLS-intercepting proxy) mounted read-only for the build only.
 */
function buildArgs(engine: Engine, inferenceDir: string, version: string): string[] {
  const workspaceRoot = join(inferenceDir, '..', '..');
  const revision = checkoutRevision(workspaceRoot);
  const source = git(workspaceRoot, 'remote', 'get-url', 'origin');
  const oci = 'org.opencontainers.image';
  const args = [
    ...['--build-arg', `VERSION=${version}`, '--build-arg', `REVISION=${revision}`],
    ...(source ? ['--build-arg', `SOURCE=${source}`] : []),
    // Labels are set on commit, never taken from a cached layer.
    ...['--label', `${oci}.version=${version}`, '--label', `${oci}.revision=${revision}`],
    ...(source ? ['--label', `${oci}.source=${source}`] : []),
  ];
  const ca = process.env.NODE_EXTRA_CA_CERTS;
  if (engine === 'podman' && ca && existsSync(ca)) {
    args.push('--volume', `${ca}:/tmp/extra-ca.crt:ro`);
    args.push('--build-arg', 'NODE_EXTRA_CA_CERTS=/tmp/extra-ca.crt');
  }
  const registry = spawnSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8' });
  const url = registry.status === 0 ? registry.stdout.trim() : '';
  if (url && url.replace(/\/$/, '') !== 'https://registry.npmjs.org') {
    args.push('--build-arg', `npm_config_registry=${url}`);
  }
  return args;
}

/**
 * Builds the runtime image from the checkout whose apps/inference is `inferenceDir` (the
 * repository root as the build context), for `platform` if given, and resolves its tag,
 * `localhost/modelship-inference:VERSION-source`, never the release's reference.
 */
export async function buildRuntimeFromSource(
  engine: Engine,
  inferenceDir: string,
  io: CommandIo,
  platform?: string,
): Promise<string> {
  const workspaceRoot = join(inferenceDir, '..', '..');
  const { version } = JSON.parse(readFileSync(join(inferenceDir, 'package.json'), 'utf8')) as {
    version: string;
  };
  const tag = `localhost/modelship-inference:${version}-source`;
  io.err(`building the runtime image ${tag} from ${workspaceRoot}`);
  await runEngineOk(
    engine,
    [
      'build',
      '--file',
      join(inferenceDir, 'Dockerfile'),
      '--tag',
      tag,
      ...(platform ? ['--platform', platform] : []),
      ...buildArgs(engine, inferenceDir, version),
      workspaceRoot,
    ],
    workspaceRoot,
    io,
  );
  return tag;
}
