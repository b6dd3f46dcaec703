import type { FeatureRecord } from '@modelship/feature-schema';
import { describe, expect, it } from 'vitest';
import { QueueFullError } from '../errors.ts';
import { createMetrics } from '../metrics.ts';
import { fakeModel, loopbackConfig, validRecord } from '../testing/fake-deps.ts';
import { createLiveModel } from './live-model.ts';

const tick = () => new Promise((resolve) => setImmediate(resolve));
const record = validRecord as FeatureRecord;

/** A live model over a fake whose runs finish when the test says; `released` once freed. */
function controlled(env: Record<string, string> = {}) {
  const finishes: (() => void)[] = [];
  const state = { released: false };
  const model = {
    ...fakeModel(
      (records) =>
        new Promise<number[]>((resolve) => finishes.push(() => resolve(records.map(() => 1)))),
    ),
    release: async () => {
      state.released = true;
    },
  };
  const metrics = createMetrics({ defaultMetrics: false });
  const live = createLiveModel({ model, config: loopbackConfig(env), metrics });
  return { live, finishes, state, metrics };
}

describe('createLiveModel', () => {
  for (const batching of ['on', 'off']) {
    it(`retire frees the session only after the predictions in flight and queued (BATCHING=${batching})`, async () => {
      const { live, finishes, state } = controlled({ BATCHING: batching });
      const running = live.predict([record]);
      await tick();
      const queued = live.predict([record, record]);
      const retired = live.retire();
      await tick();
      expect(state.released).toBe(false);
      finishes.shift()?.();
      expect(await running).toEqual([1]);
      await tick();
      expect(state.released).toBe(false);
      finishes.shift()?.();
      expect(await queued).toEqual([1, 1]);
      await retired;
      expect(state.released).toBe(true);
    });
  }

  it('times every run and counts its rows, failed runs included', async () => {
    let fail = false;
    const model = fakeModel(async (records) => {
      if (fail) throw new Error('boom');
      return records.map(() => 2);
    });
    const metrics = createMetrics({ defaultMetrics: false });
    const live = createLiveModel({ model, config: loopbackConfig({}), metrics });
    await live.predict([record]);
    await live.predict([record, record, record]);
    fail = true;
    await expect(live.predict([record])).rejects.toThrow('boom');
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^inference_run_duration_seconds_count 3$/m);
    expect(text).toMatch(/^inference_batch_rows_count 3$/m);
    expect(text).toMatch(/^inference_batch_rows_sum 5$/m);
    expect(text).toMatch(/^inference_batch_rows_bucket\{le="4"\} 3$/m);
    expect(text).toMatch(/^inference_batch_rows_bucket\{le="2"\} 2$/m);
  });

  it('counts predicted rows once per run and every refused submission', async () => {
    const { live, finishes, metrics } = controlled({ MAX_QUEUE: '3' });
    const first = live.predict([record]);
    await tick();
    const queued = live.predict([record, record]);
    await expect(live.predict([record, record])).rejects.toBeInstanceOf(QueueFullError);
    finishes.shift()?.();
    await first;
    await tick();
    finishes.shift()?.();
    await queued;
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^inference_predicted_rows_total 3$/m);
    expect(text).toMatch(/^inference_queue_rejections_total 1$/m);
  });
});
