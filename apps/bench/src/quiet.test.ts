import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fullOptions } from './config.ts';
import { type CpuTicks, parseProcStat, waitForQuiet } from './quiet.ts';
import { quietLine } from './report/build.ts';
import type { Measurement } from './runner.ts';

describe('parseProcStat', () => {
  it('counts user, nice, system, irq, softirq and steal as busy; idle and iowait are not', () => {
    const text = 'cpu  100 5 20 1000 7 1 2 3 0 0\ncpu0 50 2 10 500 3 0 1 1 0 0\nintr 1 2 3\n';
    expect(parseProcStat(text)).toEqual({ busy: 131, total: 1138 });
  });

  it("reads this machine's /proc/stat", () => {
    const ticks = parseProcStat(readFileSync('/proc/stat', 'utf8'));
    expect(ticks.total).toBeGreaterThan(0);
    expect(ticks.busy).toBeLessThanOrEqual(ticks.total);
  });

  it('names a file it does not understand', () => {
    expect(() => parseProcStat('intr 1 2 3\n')).toThrow(/no aggregate "cpu" line/);
    expect(() => parseProcStat('cpu  1 2 x 4 5 6 7 8\n')).toThrow(/not understood: "cpu {2}1 2 x/);
    expect(() => parseProcStat('cpu  1 2 3\n')).toThrow(/not understood/);
  });
});

/** A machine whose CPU use per window follows `busyCores`, one entry per window, on 2 cores. */
function fakeMachine(busyCores: readonly number[]): () => CpuTicks {
  let reads = 0;
  let busy = 0;
  let total = 0;
  return () => {
    // Reads come in pairs around each window: the second of a pair advances the counters.
    if (reads % 2 === 1) {
      const cores = busyCores[Math.min(busyCores.length - 1, (reads - 1) / 2)] as number;
      busy += cores * 10;
      total += 20;
    }
    reads++;
    return { busy, total };
  };
}

describe('waitForQuiet', () => {
  it('returns after the first window when the machine is already idle', async () => {
    const result = await waitForQuiet({ cores: 2, windowMs: 5, read: fakeMachine([0.05]) });
    expect(result.quiet).toBe(true);
    expect(result.busyCores).toBeCloseTo(0.05);
  });

  it('keeps waiting while the machine is busy, and returns once a window is quiet', async () => {
    const read = fakeMachine([1.6, 0.9, 0.4, 0.1]);
    const result = await waitForQuiet({ cores: 2, windowMs: 5, read });
    expect(result).toMatchObject({ quiet: true });
    expect(result.busyCores).toBeCloseTo(0.1);
    expect(result.waitedMs).toBeGreaterThanOrEqual(4 * 4);
  });

  it('gives up after the timeout and says the machine was not quiet', async () => {
    const result = await waitForQuiet({
      cores: 2,
      windowMs: 5,
      timeoutMs: 30,
      read: fakeMachine([1.2]),
    });
    expect(result.quiet).toBe(false);
    expect(result.busyCores).toBeCloseTo(1.2);
    expect(result.waitedMs).toBeGreaterThanOrEqual(30);
  });

  it("reads this machine's /proc/stat by default", async () => {
    // More cores busy than the machine has cannot be: the first window is quiet.
    const result = await waitForQuiet({ cores: 2, maxBusyCores: 3, windowMs: 20 });
    expect(result.quiet).toBe(true);
    expect(result.busyCores).toBeGreaterThanOrEqual(0);
    expect(result.busyCores).toBeLessThanOrEqual(2);
  });

  it('takes its threshold from maxBusyCores', async () => {
    const read = fakeMachine([0.3]);
    const strict = await waitForQuiet({ cores: 2, windowMs: 5, timeoutMs: 12, read });
    expect(strict.quiet).toBe(false);
    const loose = await waitForQuiet({ cores: 2, windowMs: 5, maxBusyCores: 0.5, read });
    expect(loose.quiet).toBe(true);
  });
});

describe('quietLine', () => {
  const measurement = (waitedMs: number, quiet: boolean): Measurement =>
    ({ settle: { waitedMs, quiet, busyCores: quiet ? 0.1 : 0.9 } }) as unknown as Measurement;

  it('reports the median and longest wait and the runs that started without a quiet window', () => {
    const line = quietLine(fullOptions, [
      measurement(210, true),
      measurement(400, true),
      measurement(5100, false),
    ]);
    expect(line).toContain('under 0.15 cores over 200 ms');
    expect(line).toContain('waited 400 ms median, 5100 ms at most; 1 of 3 runs');
  });

  it('says so when runs did not wait', () => {
    expect(quietLine({ ...fullOptions, quietCores: 0 }, [])).toMatch(/no wait for a quiet machine/);
  });
});
