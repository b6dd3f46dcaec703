// A workspace package as a user installs it: `pnpm pack` (its prepack builds it), then
// `npm install --global` of the tarball into an empty directory outside the workspace, with a
// HOME, npm prefix and temporary folder of its own. Used by the CLI's pack test and the
// image test that builds a model image with the installed command.
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** An installed package and the environment to run its commands in. */
export interface PackedInstall {
  /** The empty directory everything lives in (HOME too). */
  readonly home: string;
  /** The installed commands (`npm install --global --prefix`'s bin). */
  readonly bin: string;
  /** The installed package's directory. */
  readonly packageDir: string;
  /** The commands' TMPDIR: empty unless a command left something behind. */
  readonly tmp: string;
  /** The user's environment: PATH, this HOME and TMPDIR, npm's registry, `extra`. */
  readonly env: (extra?: NodeJS.ProcessEnv) => NodeJS.ProcessEnv;
  /** Removes `home` and everything in it. */
  readonly remove: () => Promise<void>;
}

/** npm's cache, kept between runs so that the dependencies are downloaded once, not each run. */
const npmCache = join(tmpdir(), 'modelship-pack-test-npm-cache');

/**
 * Packs the package in `sourceDir` (named `name`) and installs the tarball globally into a new
 * temporary directory, as `npm install -g` would for a user.
 */
export async function installPacked(sourceDir: string, name: string): Promise<PackedInstall> {
  const home = await mkdtemp(join(tmpdir(), 'modelship-pack-'));
  const tmp = join(home, 'tmp');
  await mkdir(tmp);
  // The machine's registry and CA bundle (a mirror, a TLS-intercepting proxy) are the user's
  // too; nothing else of this environment or of the user's npm config is passed on.
  const registry = execFileSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8' }).trim();
  const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    HOME: home,
    TMPDIR: tmp,
    ...(process.env.NODE_EXTRA_CA_CERTS && {
      NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS,
    }),
    npm_config_registry: registry,
    // Outside any checkout: nothing may resolve from the workspace.
    NODE_PATH: '',
    // onnxruntime-node's install script fetches CUDA libraries the CPU build does not use.
    ONNXRUNTIME_NODE_INSTALL: 'skip',
    npm_config_cache: npmCache,
    npm_config_update_notifier: 'false',
    ...extra,
  });
  try {
    execFileSync('pnpm', ['pack', '--pack-destination', home], { cwd: sourceDir, stdio: 'pipe' });
    const [tarball] = (await readdir(home)).filter((f) => f.endsWith('.tgz'));
    if (!tarball) throw new Error(`pnpm pack wrote no tarball for ${sourceDir}`);
    const prefix = join(home, 'global');
    await mkdir(prefix);
    execFileSync(
      'npm',
      ['install', '--global', '--prefix', prefix, '--no-audit', '--no-fund', `./${tarball}`],
      { cwd: home, env: env(), stdio: 'pipe' },
    );
    return {
      home,
      bin: join(prefix, 'bin'),
      packageDir: join(prefix, 'lib', 'node_modules', name),
      tmp,
      env,
      remove: () => rm(home, { recursive: true, force: true }),
    };
  } catch (error) {
    await rm(home, { recursive: true, force: true });
    throw error;
  }
}
