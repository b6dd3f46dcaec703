// The command as a user installs it: `pnpm pack` (which bundles it), then `npm install --global`
// of the tarball into an empty directory outside the workspace, with its own HOME and npm cache,
// and the installed `modelship` run from there.
import { execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { insuranceModelDir } from '@modelship/insurance-model';
import { beforeAll, describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

describe('the packed command, installed with npm outside the workspace', () => {
  let home: string;
  let bin: string;
  // The machine's registry and CA bundle (a mirror, a TLS-intercepting proxy) are the user's
  // too; nothing else of this environment or of the user's npm config is passed on.
  const registry = execFileSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8' }).trim();
  const env = () => ({
    PATH: process.env.PATH,
    HOME: home,
    ...(process.env.NODE_EXTRA_CA_CERTS && {
      NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS,
    }),
    npm_config_registry: registry,
    // Outside any checkout: nothing may resolve from the workspace.
    NODE_PATH: '',
    // onnxruntime-node's install script fetches CUDA libraries the CPU build does not use.
    ONNXRUNTIME_NODE_INSTALL: 'skip',
    // Kept between runs so that onnxruntime-node is downloaded once, not on every run.
    npm_config_cache: join(tmpdir(), 'modelship-pack-test-npm-cache'),
    npm_config_update_notifier: 'false',
  });
  const modelship = (...args: string[]) =>
    execFileSync(join(bin, 'modelship'), args, { cwd: home, env: env(), encoding: 'utf8' });

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'modelship-pack-'));
    execFileSync('pnpm', ['pack', '--pack-destination', home], { cwd: packageDir, stdio: 'pipe' });
    const [tarball] = (await readdir(home)).filter((f) => f.endsWith('.tgz'));
    const prefix = join(home, 'global');
    await mkdir(prefix);
    execFileSync(
      'npm',
      ['install', '--global', '--prefix', prefix, '--no-audit', '--no-fund', `./${tarball}`],
      { cwd: home, env: env(), stdio: 'pipe' },
    );
    bin = join(prefix, 'bin');
    await cp(insuranceModelDir, join(home, 'insurance'), { recursive: true });
  }, 600_000);

  it('installs compiled JavaScript that needs only onnxruntime-node', async () => {
    const installed = join(home, 'global', 'lib', 'node_modules', '@modelship', 'cli');
    expect((await readdir(installed)).sort()).toEqual([
      'README.md',
      'dist',
      'node_modules',
      'package.json',
    ]);
    expect(await readdir(join(installed, 'node_modules'))).toContain('onnxruntime-node');
  });

  it('prints its help', () => {
    expect(modelship('--help')).toMatch(/^Usage: modelship <command>[\s\S]*\n {2}check DIR /);
  });

  it('checks the bundled model, a path relative to where it runs', () => {
    expect(modelship('check', 'insurance')).toMatch(/^ok: insurance-charges 1\.0\.0, regression/);
  });
});
