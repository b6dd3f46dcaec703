// The production bundle that the image copies (apps/inference/image/bundle.mjs, the same
// script the Dockerfile runs), assembled in a temporary folder outside the workspace and
// started from there alone: it serves with only the runtime packages beside its one file of
// JavaScript, and ships no sources, tests or training data.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forbiddenContents, listTree } from './lib/contents.ts';
import { execOk } from './lib/exec.ts';
import { predictEach } from './lib/http.ts';
import { type NodeService, startNodeService } from './lib/node-service.ts';
import { assertMet, shouldRun, unmet } from './lib/requirements.ts';
import { appDir, workspaceRoot } from './lib/workspace.ts';

const missing = unmet([]);
if (!existsSync(join(appDir, 'dist/server.js'))) {
  missing.push('apps/inference/dist is not built (pnpm --filter @modelship/inference build)');
}

describe.runIf(shouldRun('the production-bundle test', missing))('the production bundle', () => {
  let tmp: string;
  let bundle: string;
  let local: NodeService | undefined;
  let bundled: NodeService | undefined;

  beforeAll(async () => {
    assertMet('the production-bundle test', missing);
    tmp = await mkdtemp(join(tmpdir(), 'modelship-bundle-'));
    bundle = join(tmp, 'app');
    await execOk(process.execPath, [join(appDir, 'image/bundle.mjs'), bundle], {
      cwd: workspaceRoot,
    });
  }, 300_000);

  afterAll(async () => {
    await Promise.all([local?.stop('SIGKILL'), bundled?.stop('SIGKILL')]);
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('lives where Node cannot resolve packages from the workspace', () => {
    expect(resolve(bundle).startsWith(resolve(workspaceRoot))).toBe(false);
    const ancestorsWithModules: string[] = [];
    for (let dir = dirname(bundle); ; dir = dirname(dir)) {
      if (existsSync(join(dir, 'node_modules'))) ancestorsWithModules.push(dir);
      if (dir === dirname(dir)) break;
    }
    expect(ancestorsWithModules).toEqual([]);
  });

  it('holds only package.json, node_modules and dist', async () => {
    const top = (await listTree(bundle)).filter((p) => !p.includes('/')).sort();
    expect(top).toEqual(['dist', 'node_modules', 'package.json']);
  });

  it('holds in node_modules only the runtime packages; no sources, tests or training data', async () => {
    const paths = await listTree(bundle);
    expect(forbiddenContents(paths)).toEqual([]);
    const top = paths.filter((p) => /^node_modules\/[^/]+$/.test(p)).sort();
    expect(top).toEqual(['node_modules/onnxruntime-common', 'node_modules/onnxruntime-node']);
  });

  it('keeps only the onnxruntime-node binary of this platform', async () => {
    const binaries = (await listTree(join(bundle, 'node_modules')))
      .filter((p) => p.endsWith('onnxruntime_binding.node'))
      .map((p) => p.replace(/^.*\/bin\/napi-v\d+\//, ''));
    expect(binaries).toEqual([`${process.platform}/${process.arch}/onnxruntime_binding.node`]);
  });

  it('starts on its own, predicts like the local service, and exits 0 on SIGTERM', async () => {
    local = await startNodeService({ cwd: appDir });
    bundled = await startNodeService({
      cwd: bundle,
      env: { PATH: process.env.PATH, NODE_ENV: 'production' },
    });
    const expected = await predictEach(local.baseUrl);
    const actual = await predictEach(bundled.baseUrl);
    expect(actual).toEqual(expected);
    // /docs serves swagger-ui's assets from the bundle's dist/static (gzip-compressed there)
    const css = await fetch(`${bundled.baseUrl}/docs/swagger-ui.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-encoding')).toBe('gzip');
    expect(await css.text()).toContain('.swagger-ui');

    const ended = await bundled.stop('SIGTERM');
    expect(ended, bundled.output()).toEqual({ code: 0, signal: null });
  }, 180_000);
});
