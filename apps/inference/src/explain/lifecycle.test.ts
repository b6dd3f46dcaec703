// The explainer's lifecycle: its method chosen and its session built when a version loads
// (logged, in the OIP model metadata, on /monitoring), and freed when a reload retires the
// version, over real HTTP with real onnxruntime sessions.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildProfile, compileSchema } from '@modelship/feature-schema';
import { linearModel, writeModelDir } from '@modelship/testkit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Service, startService } from '../service.ts';
import { distinctRecord, loopbackConfig, memoryLogger, postJson } from '../testing/fake-deps.ts';
import { pointAt, schemaOf } from '../testing/versioned-source.ts';

describe('explainers follow the served version', { timeout: 120_000 }, () => {
  let root: string;
  let service: Service;
  let lines: Record<string, unknown>[];
  const records = Array.from({ length: 40 }, (_, i) => distinctRecord(i));

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'modelship-explainers-'));
    for (const [name, weights] of [
      ['v1', undefined],
      ['v2', { weights: [3, -2, 5, 1, 7, 11, -4, 2, 9], bias: 100 }],
    ] as const) {
      const schema = schemaOf(name);
      const model = linearModel(schema, weights);
      const dir = join(root, name);
      await writeModelDir(schema, model.bytes, dir);
      const profile = buildProfile(schema, records, model.reference(records), {
        fingerprint: compileSchema(schema).fingerprint,
        backgroundRows: 10,
      });
      await writeFile(join(dir, 'profile.json'), JSON.stringify(profile));
    }
    await pointAt(root, 'v1');
    const logger = memoryLogger();
    lines = logger.lines;
    const config = loopbackConfig({ MODEL_DIR: root, MODEL_POLL_INTERVAL: '0' });
    service = await startService({ config, logger: logger.logger, exit: () => {} });
  }, 60_000);
  afterAll(async () => {
    await service?.shutdown.begin('test done');
    await rm(root, { recursive: true, force: true });
  }, 60_000);

  const explainerSessions = async () =>
    (await service.deps.metrics.explainerSessions.get()).values[0]?.value;
  const base = () => `http://127.0.0.1:${service.port}`;

  it('chooses the method at load: logged before the first request, in the metadata and on /monitoring', async () => {
    const loaded = lines.find((l) =>
      String(l.message).startsWith('model version v1: explanations'),
    );
    expect(loaded).toMatchObject({ explain: { method: 'additive', space: 'value' } });
    expect(service.deps.models.current.explainer?.state?.status).toBe('ready');
    expect(await explainerSessions()).toBe(1);
    const metadata = await fetch(`${base()}/v2/models/insurance-charges`);
    expect(((await metadata.json()) as { parameters: unknown }).parameters).toEqual({
      explain_method: 'additive',
      explain_space: 'value',
      explain_background_rows: 10,
    });
    const page = await fetch(`http://127.0.0.1:${service.ops?.port}/monitoring`);
    expect(await page.text()).toContain('data-explain="additive"');
  });

  it('a reload builds the new version’s explainer before switching and releases the old one’s session', async () => {
    const old = service.deps.models.current;
    const state = await old.explainer?.ready;
    if (state?.status !== 'ready') throw new Error('v1 has no explainer');
    const release = vi.spyOn(state.explainer, 'release');
    const before = await fetch(`${base()}/explain`, postJson(records[0]));
    expect(((await before.json()) as { model: { version: string } }).model.version).toBe('v1');

    await pointAt(root, 'v2');
    expect(await service.deps.models.reload()).toMatchObject({ outcome: 'switched' });
    // Ready the moment it serves: no request builds it.
    expect(service.deps.models.current.explainer?.state?.status).toBe('ready');
    await old.retire();
    expect(release).toHaveBeenCalledTimes(1);
    expect(await explainerSessions()).toBe(1);

    const after = await fetch(`${base()}/explain`, postJson(records[0]));
    const body = (await after.json()) as { model: { version: string }; method: string };
    expect(body).toMatchObject({ model: { version: 'v2' }, method: 'additive' });
  });
});
