import { describe, expect, it } from 'vitest';
import { type Batcher, createBatcher } from './batcher.ts';
import { QueueFullError } from './errors.ts';

/** A runner whose runs finish only when the test says so; it doubles every row. */
function controlledRunner() {
  const runs: { rows: number[]; finish: () => void; fail: (error: Error) => void }[] = [];
  const run = (rows: readonly number[]) =>
    new Promise<number[]>((resolve, reject) => {
      runs.push({
        rows: [...rows],
        finish: () => resolve(rows.map((row) => row * 2)),
        fail: reject,
      });
    });
  return { runs, run };
}

/** Lets pending promise callbacks run. */
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('createBatcher', () => {
  it('runs a submission at once when idle', async () => {
    const { runs, run } = controlledRunner();
    const batcher = createBatcher({ run });
    const result = batcher.submit([1, 2]);
    await tick();
    expect(runs.map((r) => r.rows)).toEqual([[1, 2]]);
    runs[0]?.finish();
    expect(await result).toEqual([2, 4]);
  });

  it('runs a lone submission within its own turn when the last run was a lone one too', async () => {
    // At one connection a turn of its own for the batcher pushes onnxruntime's own
    // setImmediate into the next event-loop turn: one more turn per request (tail-counts).
    const { runs, run } = controlledRunner();
    const batcher = createBatcher({ run });
    const first = batcher.submit([1]);
    expect(runs).toHaveLength(0);
    await tick();
    runs[0]?.finish();
    expect(await first).toEqual([2]);
    await tick();
    const second = batcher.submit([2]);
    for (let i = 0; i < 3; i++) await Promise.resolve();
    expect(runs.map((r) => r.rows)).toEqual([[1], [2]]);
    runs[1]?.finish();
    expect(await second).toEqual([4]);
    await tick();
    // Two at once after a lone run: the first starts at once, the second waits for it.
    const pair = [batcher.submit([3]), batcher.submit([4])];
    for (let i = 0; i < 3; i++) await Promise.resolve();
    expect(runs.map((r) => r.rows)).toEqual([[1], [2], [3]]);
    runs[2]?.finish();
    await tick();
    expect(runs.map((r) => r.rows)).toEqual([[1], [2], [3], [4]]);
    runs[3]?.finish();
    expect(await Promise.all(pair)).toEqual([[6], [8]]);
    await tick();
    // [3] ended with [4] waiting: no longer lone, the next submissions share the end of a turn.
    const again = [batcher.submit([5]), batcher.submit([6])];
    for (let i = 0; i < 3; i++) await Promise.resolve();
    expect(runs).toHaveLength(4);
    await tick();
    expect(runs[4]?.rows).toEqual([5, 6]);
    runs[4]?.finish();
    expect(await Promise.all(again)).toEqual([[10], [12]]);
  });

  it('coalesces the submissions of one event-loop turn into one run', async () => {
    const { runs, run } = controlledRunner();
    const sizes: number[] = [];
    const batcher = createBatcher({ run, onRun: (n) => sizes.push(n) });
    const results = [batcher.submit([1]), batcher.submit([2, 3]), batcher.submit([4])];
    expect(runs).toHaveLength(0);
    await tick();
    expect(runs.map((r) => r.rows)).toEqual([[1, 2, 3, 4]]);
    runs[0]?.finish();
    expect(await Promise.all(results)).toEqual([[2], [4, 6], [8]]);
    expect(sizes).toEqual([4]);
  });

  it('reports the queue depth when rows wait, and makes no call for lone submissions run at once', async () => {
    const { runs, run } = controlledRunner();
    const depths: number[] = [];
    const batcher = createBatcher({ run, onQueueDepth: (n) => depths.push(n) });
    const first = batcher.submit([1]);
    expect(depths).toEqual([1]);
    await tick();
    expect(depths).toEqual([1, 0]);
    runs[0]?.finish();
    await first;
    await tick();
    for (let i = 0; i < 3; i++) {
      const lone = batcher.submit([i]);
      for (let j = 0; j < 3; j++) await Promise.resolve();
      expect(runs).toHaveLength(i + 2);
      runs[i + 1]?.finish();
      await lone;
      await tick();
    }
    expect(depths).toEqual([1, 0]);
    const pair = [batcher.submit([7]), batcher.submit([8, 9])];
    expect(depths).toEqual([1, 0, 2]);
    await tick();
    expect(runs.map((r) => r.rows)).toEqual([[1], [0], [1], [2], [7]]);
    runs[4]?.finish();
    await tick();
    expect(depths).toEqual([1, 0, 2, 0]);
    runs[5]?.finish();
    await Promise.all(pair);
  });

  it('coalesces submissions that arrive during a run, keeping each one whole and in order', async () => {
    const { runs, run } = controlledRunner();
    const sizes: number[] = [];
    const depths: number[] = [];
    const batcher = createBatcher({
      run,
      onRun: (n) => sizes.push(n),
      onQueueDepth: (n) => depths.push(n),
    });
    const first = batcher.submit([1]);
    await tick();
    const second = batcher.submit([10, 11]);
    const third = batcher.submit([20]);
    const fourth = batcher.submit([30, 31, 32]);
    expect(batcher.queuedRows).toBe(6);
    await tick();
    expect(runs).toHaveLength(1);
    runs[0]?.finish();
    await tick();
    expect(runs.map((r) => r.rows)).toEqual([[1], [10, 11, 20, 30, 31, 32]]);
    runs[1]?.finish();
    expect(await first).toEqual([2]);
    expect(await second).toEqual([20, 22]);
    expect(await third).toEqual([40]);
    expect(await fourth).toEqual([60, 62, 64]);
    expect(sizes).toEqual([1, 6]);
    expect(depths.at(-1)).toBe(0);
    expect(batcher.queuedRows).toBe(0);
  });

  it('never puts more than maxBatchRows in a run, except one oversized submission alone', async () => {
    const { runs, run } = controlledRunner();
    const batcher = createBatcher({ run, maxBatchRows: 3 });
    const results = [
      batcher.submit([0]),
      batcher.submit([1, 2]),
      batcher.submit([3, 4]),
      batcher.submit([5, 6, 7, 8]),
      batcher.submit([9]),
    ];
    for (let i = 0; i < 5; i++) {
      await tick();
      runs[i]?.finish();
    }
    await Promise.all(results);
    expect(runs.map((r) => r.rows)).toEqual([[0, 1, 2], [3, 4], [5, 6, 7, 8], [9]]);
    expect(await results[3]).toEqual([10, 12, 14, 16]);
  });

  it('fails only the submissions in a failed run', async () => {
    const { runs, run } = controlledRunner();
    const batcher = createBatcher({ run, maxBatchRows: 2 });
    const a = batcher.submit([1]);
    const b = batcher.submit([2, 3]);
    const c = batcher.submit([4]);
    await tick();
    runs[0]?.finish();
    await tick();
    runs[1]?.fail(new Error('boom'));
    await expect(b).rejects.toThrow('boom');
    await tick();
    runs[2]?.finish();
    expect(await a).toEqual([2]);
    expect(await c).toEqual([8]);
  });

  it('fails the batch when the runner throws synchronously or returns the wrong count', async () => {
    const throwing = createBatcher<number, number>({
      run: () => {
        throw new Error('sync');
      },
    });
    await expect(throwing.submit([1])).rejects.toThrow('sync');
    const short = createBatcher<number, number>({ run: async () => [1] });
    await expect(short.submit([1, 2])).rejects.toThrow(/1 outputs for 2 rows/);
  });

  it('refuses submissions beyond maxQueueRows with QueueFullError', async () => {
    const { runs, run } = controlledRunner();
    const batcher = createBatcher({ run, maxQueueRows: 3 });
    const running = batcher.submit([1, 2]);
    const alsoRunning = batcher.submit([3]);
    await expect(batcher.submit([4])).rejects.toBeInstanceOf(QueueFullError);
    await tick();
    expect(batcher.queuedRows).toBe(0);
    const queued = batcher.submit([5, 6, 7]);
    await expect(batcher.submit([8])).rejects.toBeInstanceOf(QueueFullError);
    runs[0]?.finish();
    // The last run took two submissions and one waits: it gathers one quiet turn, then runs.
    await tick();
    await tick();
    runs[1]?.finish();
    expect(await running).toEqual([2, 4]);
    expect(await alsoRunning).toEqual([6]);
    expect(await queued).toEqual([10, 12, 14]);
  });

  describe('admission by rows with a per-request share', () => {
    const rows = (n: number) => new Array<number>(n).fill(1);
    /** Submits `n` rows; whether the queue took them (a refusal leaves it as it was). */
    const admit = (batcher: Batcher<number, number>, n: number) => {
      const before = batcher.queuedRows;
      batcher.submit(rows(n)).catch((error: unknown) => {
        if (!(error instanceof QueueFullError)) throw error;
      });
      return batcher.queuedRows === before + n;
    };

    it('whatever size a flood of batches has, a single record is still admitted', () => {
      for (const maxQueueRows of [10, 12, 100, 1000]) {
        for (let size = 2; size <= maxQueueRows / 2; size += size < 20 ? 1 : 37) {
          const what = `${size}-row batches, a queue of ${maxQueueRows}`;
          const batcher = createBatcher({ run: controlledRunner().run, maxQueueRows });
          let batches = 0;
          while (admit(batcher, size)) batches += 1;
          expect(batches, what).toBeGreaterThan(0);
          expect(admit(batcher, 1), what).toBe(true);
        }
      }
    });

    it('a request takes at most about half of the free rows; an empty queue, any that fit', () => {
      const batcher = createBatcher({ run: controlledRunner().run, maxQueueRows: 10 });
      expect(admit(batcher, 11)).toBe(false);
      expect(admit(batcher, 8)).toBe(true); // an empty queue: 8 of 10
      expect(admit(batcher, 2)).toBe(false); // 2 free: it would leave none for anyone else
      expect(admit(batcher, 1)).toBe(true);
      expect(admit(batcher, 1)).toBe(true);
      expect(admit(batcher, 1)).toBe(false); // full
      const other = createBatcher({ run: controlledRunner().run, maxQueueRows: 10 });
      // 4 (an empty queue), 3 (6 free), 2 (3 free: it leaves 1), 1, then full.
      expect([4, 3, 2, 1, 1].map((n) => admit(other, n))).toEqual([true, true, true, true, false]);
    });
  });

  it('under concurrent load, gathers for more turns while each brings submissions', async () => {
    const { runs, run } = controlledRunner();
    const batcher = createBatcher({ run });
    const first = [batcher.submit([1]), batcher.submit([2]), batcher.submit([3])];
    await tick();
    const second = [batcher.submit([4])];
    runs[0]?.finish();
    await Promise.all(first);
    // One waits where the last run took three: the run waits a turn, which brings another.
    second.push(batcher.submit([5]));
    await tick();
    expect(runs).toHaveLength(1);
    // Two now, more than a turn ago: one more turn, which brings nothing: the run starts.
    await tick();
    await tick();
    expect(runs.map((r) => r.rows)).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
    runs[1]?.finish();
    expect(await Promise.all(second)).toEqual([[8], [10]]);
  });

  it('runs without gathering once as many wait as the last run took, for a lone request, and when told to', async () => {
    for (const [maxGatherTurns, lastRun, waiting, runsAfterOneTurn] of [
      [8, 2, 2, 2], // as many as the last run: no wait
      [8, 1, 1, 2], // a lone request after a lone request: no wait
      [0, 3, 1, 2], // gathering off
      [8, 3, 1, 1], // fewer than the last run: it waits
    ] as const) {
      const { runs, run } = controlledRunner();
      const batcher = createBatcher({ run, maxGatherTurns });
      const firstRun = Array.from({ length: lastRun }, (_, i) => batcher.submit([i]));
      await tick();
      const next = Array.from({ length: waiting }, (_, i) => batcher.submit([10 + i]));
      runs[0]?.finish();
      // One turn from the end of the run, whatever the microtasks between them.
      await tick();
      expect(runs, `maxGatherTurns ${maxGatherTurns}, ${lastRun} then ${waiting}`).toHaveLength(
        runsAfterOneTurn,
      );
      await Promise.all(firstRun);
      await tick();
      await tick();
      runs[1]?.finish();
      await Promise.all(next);
    }
  });

  it('gathers at most maxGatherTurns turns', async () => {
    /** Rows of the run after a ten-submission run, with one more submission every turn. */
    async function secondRun(maxGatherTurns: number): Promise<number> {
      const { runs, run } = controlledRunner();
      const batcher = createBatcher({ run, maxGatherTurns });
      const first = Array.from({ length: 10 }, (_, i) => batcher.submit([i]));
      await tick();
      const later = [batcher.submit([100])];
      runs[0]?.finish();
      await Promise.all(first);
      for (let turn = 0; runs.length < 2 && turn < 50; turn += 1) {
        later.push(batcher.submit([101 + turn]));
        await tick();
      }
      const rows = runs[1]?.rows.length ?? 0;
      for (let i = 1; i < 10 && runs.length > i; i += 1) {
        runs[i]?.finish();
        await tick();
        await tick();
        await tick();
      }
      await Promise.all(later);
      return rows;
    }
    // Each turn brings one: two extra turns take 3-4 rows; eight gather until ten wait.
    expect(await secondRun(2)).toBeLessThanOrEqual(4);
    expect(await secondRun(8)).toBeGreaterThanOrEqual(9);
  });

  it('runs every submission on its own when disabled', async () => {
    const { runs, run } = controlledRunner();
    const batcher = createBatcher({ run, enabled: false, maxQueueRows: 1 });
    const results = [batcher.submit([1]), batcher.submit([2, 3]), batcher.submit([4])];
    await tick();
    expect(runs.map((r) => r.rows)).toEqual([[1], [2, 3], [4]]);
    for (const r of runs) r.finish();
    expect(await Promise.all(results)).toEqual([[2], [4, 6], [8]]);
  });

  it('resolves idle() only after queued work has run', async () => {
    const { runs, run } = controlledRunner();
    const batcher = createBatcher({ run });
    let idle = false;
    batcher.submit([1]);
    batcher.idle().then(() => {
      idle = true;
    });
    await tick();
    batcher.submit([2]);
    runs[0]?.finish();
    await tick();
    expect(idle).toBe(false);
    runs[1]?.finish();
    await tick();
    expect(idle).toBe(true);
  });

  it('answers an empty submission without running the model', async () => {
    const { runs, run } = controlledRunner();
    expect(await createBatcher({ run }).submit([])).toEqual([]);
    expect(runs).toHaveLength(0);
  });
});
