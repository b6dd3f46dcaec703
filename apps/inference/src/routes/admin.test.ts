import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.ts';
import { loadConfig } from '../config.ts';
import { createDeps } from '../service.ts';
import { fakeModel, memoryLogger } from '../testing/fake-deps.ts';

// A refused reload tells the caller which version and why, in words that hold no filesystem
// path and none of `current`'s bytes; the service's log keeps the full reason.
describe('POST /admin/reload, refused', () => {
  let root: string;
  const { logger, lines } = memoryLogger();
  const app = () => {
    const deps = createDeps({
      config: loadConfig({ MODEL_DIR: root, MODEL_POLL_INTERVAL: '0' }),
      logger,
      model: fakeModel(),
      defaultMetrics: false,
      versioned: { root, name: 'v1' },
      // What the loader says of a broken version: its path, then what is wrong.
      load: async (dir) => {
        throw new Error(`${join(dir, 'model.onnx')} is not a valid ONNX model`);
      },
    });
    return createApp(deps);
  };
  const reload = async () => {
    const res = await app().request('/admin/reload', { method: 'POST' });
    return { status: res.status, text: await res.text() };
  };
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'modelship-admin-'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('names the version and the check it failed, without the path', async () => {
    await writeFile(join(root, 'current'), 'v2');
    const { status, text } = await reload();
    expect(status).toBe(409);
    expect(JSON.parse(text)).toMatchObject({ outcome: 'refused', version: 'v2' });
    expect(JSON.parse(text).reason).toMatch(/model\.onnx is not a valid ONNX model/);
    expect(text).not.toContain(root);
    expect(JSON.stringify(lines)).toContain(root);
  });

  it('answers an unreadable current without its bytes or its path', async () => {
    await writeFile(join(root, 'current'), 'token-3f9a/../../etc\nmore');
    const { status, text } = await reload();
    expect(status).toBe(409);
    expect(JSON.parse(text)).toMatchObject({ outcome: 'refused' });
    expect(text).not.toContain(root);
    expect(text).not.toContain('token-3f9a');
  });
});
