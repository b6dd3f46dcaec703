import { createEncoder, type ModelSchema } from '@modelship/feature-schema';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { createRunner } from './runner.ts';

// The encoder reads only the schema's input layout.
const inputs: ModelSchema['inputs'] = {
  layout: 'per-field',
  inputs: [
    { field: 'x', input: 'x', type: 'float32' },
    { field: 'c', input: 'c', type: 'string' },
  ],
};
const compiled = { encode: createEncoder({ inputs } as ModelSchema) };

/** A stand-in session: each run waits for `release()`, then answers x + 1 per row. */
function fakeSession() {
  const runs: {
    feeds: Record<string, ort.Tensor>;
    /** The inputs' values when the run was called. */
    seen: unknown[][];
    finish: (error?: Error) => void;
  }[] = [];
  const session = {
    run(feeds: Record<string, ort.Tensor>) {
      const seen = Object.values(feeds).map((t) => Array.from(t.data as ArrayLike<unknown>));
      return new Promise((resolve, reject) => {
        runs.push({
          feeds,
          seen,
          finish: (error) => {
            if (error) return reject(error);
            // Reads the inputs when it answers, as onnxruntime does in a later turn.
            const x = Float32Array.from(feeds.x?.data as Float32Array, (v) => v + 1);
            resolve({ y: new ort.Tensor('float32', x, [x.length, 1]) });
          },
        });
      });
    },
  } as unknown as ort.InferenceSession;
  return { session, runs };
}

const record = (x: number, c: string) => ({ x, c });
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('createRunner: reused input tensors', () => {
  it('reuses one record count’s tensors once its run has settled, refilled with the new records', async () => {
    const { session, runs } = fakeSession();
    const run = createRunner({ session, compiled, output: 'y' });
    const first = run([record(1, 'a')]);
    await settle();
    runs[0]?.finish();
    expect(await first).toEqual([2]);
    const second = run([record(5, 'b')]);
    await settle();
    expect(runs[1]?.feeds.x).toBe(runs[0]?.feeds.x);
    expect(runs[1]?.seen).toEqual([[5], ['b']]);
    runs[1]?.finish();
    expect(await second).toEqual([6]);
  });

  it('never shares tensors between runs in flight together', async () => {
    const { session, runs } = fakeSession();
    const run = createRunner({ session, compiled, output: 'y' });
    const warm = run([record(0, 'a')]);
    await settle();
    runs[0]?.finish();
    await warm;
    const first = run([record(1, 'a')]);
    const second = run([record(10, 'b')]);
    await settle();
    expect(runs[2]?.feeds.x).not.toBe(runs[1]?.feeds.x);
    expect(runs[2]?.feeds.c?.data).not.toBe(runs[1]?.feeds.c?.data);
    runs[2]?.finish();
    runs[1]?.finish();
    expect(await first).toEqual([2]);
    expect(await second).toEqual([11]);
  });

  it('a failed run does not poison the next one of the same size', async () => {
    const { session, runs } = fakeSession();
    const run = createRunner({ session, compiled, output: 'y' });
    const failed = run([record(1, 'a'), record(2, 'b')]);
    await settle();
    runs[0]?.finish(new Error('boom'));
    await expect(failed).rejects.toThrow('boom');
    const next = run([record(3, 'b'), record(4, 'a')]);
    await settle();
    expect(runs[1]?.seen).toEqual([
      [3, 4],
      ['b', 'a'],
    ]);
    runs[1]?.finish();
    expect(await next).toEqual([4, 5]);
  });
});
