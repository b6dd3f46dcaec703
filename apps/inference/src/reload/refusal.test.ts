// A refused version is remembered by the content of its directory: asking again (the admin
// route, the poller) answers the same refusal without loading the model again, until a file
// of that version changes.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { linearModel, writeModelDir } from '@modelship/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Service, startService } from '../service.ts';
import { loopbackConfig, memoryLogger } from '../testing/fake-deps.ts';
import { pointAt, schemaOf } from '../testing/versioned-source.ts';

describe('repeated reloads of a refused version', { timeout: 60_000 }, () => {
  let root: string;
  let service: Service;
  let lines: Record<string, unknown>[];
  const loads = (name: string) =>
    lines.filter((l) => l.message === `loading model version ${name}`).length;
  const refusals = async () =>
    (await service.deps.metrics.modelReloads.get()).values.find(
      (v) => v.labels.outcome === 'refused',
    )?.value ?? 0;
  const reload = async () => {
    const res = await fetch(`http://127.0.0.1:${service.ops?.port}/admin/reload`, {
      method: 'POST',
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'modelship-refusal-'));
    await writeModelDir(schemaOf('v1'), linearModel(schemaOf('v1')).bytes, join(root, 'v1'));
    await writeModelDir(schemaOf('v2'), 'not an onnx model', join(root, 'v2'));
    await pointAt(root, 'v1');
    const logged = memoryLogger();
    lines = logged.lines;
    const config = loopbackConfig({
      MODEL_DIR: root,
      MODEL_POLL_INTERVAL: '0',
    });
    service = await startService({ config, logger: logged.logger, exit: () => {} });
  }, 60_000);
  afterAll(async () => {
    await service?.shutdown.begin('test done');
    await rm(root, { recursive: true, force: true });
  });

  it('loads a refused version once, answers the same refusal after, and loads it again once it changes', async () => {
    await pointAt(root, 'v2');
    for (let i = 0; i < 4; i++) {
      const { status, body } = await reload();
      expect(status).toBe(409);
      expect(body).toMatchObject({ outcome: 'refused', version: 'v2', model: { version: 'v1' } });
      expect(String(body.reason)).toMatch(/not a valid ONNX model/);
    }
    expect(loads('v2')).toBe(1);
    expect(await refusals()).toBe(1);

    // Another broken file: a new attempt, refused again.
    await writeFile(join(root, 'v2', 'model.onnx'), 'still not an onnx model');
    expect((await reload()).status).toBe(409);
    expect(loads('v2')).toBe(2);
    expect(await refusals()).toBe(2);

    // Fixed in place: loaded and switched to.
    await writeFile(join(root, 'v2', 'model.onnx'), linearModel(schemaOf('v2')).bytes);
    const { status, body } = await reload();
    expect(status).toBe(200);
    expect(body).toMatchObject({ outcome: 'switched', version: 'v2' });
    expect(loads('v2')).toBe(3);
  });
});
