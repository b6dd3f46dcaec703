/**
 * The package as a user installs it: `pnpm pack` (its prepack builds dist/), then an empty
 * cdk8s app outside the workspace (HOME and npm cache of its own) installs the tarball and the
 * peers from the registry, compiles the README's main.ts with the `cdk8s init typescript-app`
 * tsconfig, runs it, and the YAML it writes passes the charts' schema and policy checks.
 */
import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OPERATIONAL_ROUTES } from '@modelship/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import {
  allPolicyViolations,
  findUnknownFields,
  type KubeObject,
  validateObjects,
} from './testing/index.ts';

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
/** The app layout `cdk8s init typescript-app` writes, from the workspace's cdk8s-cli. */
const TEMPLATE_DIR = fileURLToPath(
  new URL('../../../node_modules/cdk8s-cli/templates/typescript-app/', import.meta.url),
);
const PEERS = ['cdk8s', 'cdk8s-plus-27', 'constructs'] as const;

/** The first ```ts block under `## In your own cdk8s app` in the package README. */
function readmeMain(markdown: string): string {
  const section = markdown.split(/^## /m).find((s) => s.startsWith('In your own cdk8s app'));
  const block = section?.match(/^```ts\n([\s\S]*?)^```$/m)?.[1];
  if (block === undefined)
    throw new Error('README: no ```ts block under "## In your own cdk8s app"');
  return block;
}

async function versionOf(name: string): Promise<string> {
  const manifest = await readFile(join(PACKAGE_DIR, 'node_modules', name, 'package.json'), 'utf8');
  return (JSON.parse(manifest) as { version: string }).version;
}

/** Runs a command; throws with its output unless it exits 0. */
function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8' });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} exited ${result.status}\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result;
}

let work: string;
let app: string;
let env: NodeJS.ProcessEnv;
let packed: { dependencies?: Record<string, string>; peerDependencies?: Record<string, string> };
let packedFiles: string[];
const objects: KubeObject[] = [];
let stderr = '';

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'modelship-k8s-published-'));
  app = join(work, 'app');
  const home = join(work, 'home');
  await mkdir(app);
  await mkdir(home);
  // A user's shell: none of the npm_config_* that `pnpm run` exports, a HOME of its own.
  env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith('npm_')),
  );
  Object.assign(env, { HOME: home, npm_config_cache: join(home, '.npm') });

  const pack = run('pnpm', ['pack', '--json', '--pack-destination', work], PACKAGE_DIR, env);
  const json = pack.stdout.slice(pack.stdout.indexOf('{'));
  const { filename, files } = JSON.parse(json) as { filename: string; files: { path: string }[] };
  packedFiles = files.map((file) => file.path).sort();
  const extract = run('tar', ['-xzOf', filename, 'package/package.json'], work, env);
  packed = JSON.parse(extract.stdout);

  await writeFile(
    join(app, 'package.json'),
    `${JSON.stringify({ name: 'churn', version: '1.0.0', private: true, main: 'main.js' })}\n`,
  );
  await copyFile(join(TEMPLATE_DIR, 'tsconfig.json'), join(app, 'tsconfig.json'));
  await writeFile(
    join(app, 'main.ts'),
    readmeMain(await readFile(`${PACKAGE_DIR}/README.md`, 'utf8')),
  );
  const specs = await Promise.all(
    [...PEERS, 'typescript'].map(async (name) => `${name}@${await versionOf(name)}`),
  );
  const install = ['install', '--no-audit', '--no-fund', '--ignore-scripts', ...specs, filename];
  run('npm', install, app, env);
  // The template's `compile` script (type errors fail it: noEmitOnError), then its app.
  run(join(app, 'node_modules/.bin/tsc'), ['--build'], app, env);
  stderr = run(process.execPath, ['main.js'], app, env).stderr;
  for (const file of await readdir(join(app, 'dist'))) {
    for (const doc of parseAllDocuments(await readFile(join(app, 'dist', file), 'utf8'))) {
      objects.push(doc.toJS() as KubeObject);
    }
  }
}, 300_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the published package', () => {
  it('holds the built module, its types and the README, and needs no workspace', () => {
    expect(packedFiles).toEqual([
      'README.md',
      'dist/index.d.ts',
      'dist/index.js',
      'dist/index.js.map',
      'package.json',
    ]);
    const specs = JSON.stringify([packed.dependencies, packed.peerDependencies]);
    expect(specs).not.toMatch(/workspace:|catalog:|@modelship\//);
    expect(Object.keys(packed.peerDependencies ?? {}).sort()).toEqual([...PEERS]);
  });

  it("synthesizes the README's app: the workload's objects, named as given", () => {
    expect(stderr).toBe('');
    const kinds = objects.map((obj) => `${obj.kind}/${obj.metadata?.name}`).sort();
    expect(kinds).toEqual([
      'ConfigMap/churn-nginx',
      'Deployment/churn',
      'HorizontalPodAutoscaler/churn',
      'NetworkPolicy/churn',
      'PodDisruptionBudget/churn',
      'Service/churn',
      'ServiceAccount/churn',
    ]);
    const deployment = objects.find((obj) => obj.kind === 'Deployment') as unknown as {
      spec: { template: { spec: { containers: { name: string; image: string }[] } } };
    };
    const inference = deployment.spec.template.spec.containers.find((c) => c.name === 'inference');
    expect(inference?.image).toBe('europe-west1-docker.pkg.dev/my-project/models/churn:1.0.0');
  });

  it('writes YAML that passes the schema, unknown-field and policy checks', async () => {
    expect(objects.length).toBeGreaterThan(0);
    expect(await validateObjects(objects)).toEqual([]);
    expect(findUnknownFields(objects)).toEqual([]);
    const probes = [OPERATIONAL_ROUTES.health, OPERATIONAL_ROUTES.ready];
    expect(allPolicyViolations(objects, probes)).toEqual([]);
  }, 60_000);

  it('types the props: a wrong prop fails the compile', async () => {
    const bad =
      "import { InferenceWorkload } from '@modelship/k8s';\n" +
      "import { Chart } from 'cdk8s';\n" +
      "new InferenceWorkload(new Chart(undefined as never, 'c'), 'w', { image: 42, tls: false });\n";
    await writeFile(join(app, 'bad.ts'), bad);
    const check = spawnSync(join(app, 'node_modules/.bin/tsc'), ['--noEmit', '-p', '.'], {
      cwd: app,
      env,
      encoding: 'utf8',
    });
    expect(check.status).not.toBe(0);
    expect(check.stdout).toMatch(
      /bad\.ts\(3,\d+\): error TS2322: Type 'number' is not assignable to type 'string'/,
    );
  }, 60_000);
});
