import { describe, expect, it } from 'vitest';
import { countFlags, fullOptions, OptionsError, parseOptions, smokeOptions } from './config.ts';

describe('parseOptions', () => {
  it('uses the full preset by default and the smoke preset with --smoke', () => {
    expect(parseOptions([])).toEqual(fullOptions);
    expect(parseOptions(['--smoke']).concurrencies).toEqual(smokeOptions.concurrencies);
  });

  it('overrides concurrencies, runs, durations and filters', () => {
    const o = parseOptions([
      '--concurrency',
      '1,64',
      '--runs',
      '5',
      '--duration',
      '3',
      '--only',
      'ours,peer',
    ]);
    expect(o.concurrencies).toEqual([1, 64]);
    expect(o.runs).toBe(5);
    expect(o.durationS).toBe(3);
    expect(o.only).toEqual(['ours', 'peer']);
  });

  it("ignores the '--' that pnpm passes through", () => {
    expect(parseOptions(['--', '--runs', '2']).runs).toBe(2);
  });

  it('names the bad flag', () => {
    expect(() => parseOptions(['--concurrency', '0,x'])).toThrow(OptionsError);
    expect(() => parseOptions(['--runs', '-1'])).toThrow(/--runs/);
    expect(() => parseOptions(['--nope'])).toThrow();
  });

  it('waits for a quiet machine by default; --quiet-cores sets the threshold, 0 turns it off', () => {
    expect(parseOptions([]).quietCores).toBe(0.15);
    expect(parseOptions(['--smoke']).quietCores).toBe(0);
    expect(parseOptions(['--quiet-cores', '0.3']).quietCores).toBe(0.3);
    expect(parseOptions(['--quiet-cores', '0']).quietCores).toBe(0);
    expect(() => parseOptions(['--quiet-cores=x'])).toThrow(/--quiet-cores "x" must be > 0/);
  });

  it('lets the full run choose the layout, shares the CPUs in the smoke run; --layout sets it', () => {
    expect(parseOptions([]).layout).toBe('auto');
    expect(parseOptions(['--smoke']).layout).toBe('shared');
    expect(parseOptions(['--layout', 'shared']).layout).toBe('shared');
    expect(parseOptions(['--smoke', '--layout', 'apart']).layout).toBe('apart');
    expect(() => parseOptions(['--layout', 'pinned'])).toThrow(
      /--layout "pinned" must be one of: auto, shared, apart/,
    );
  });

  it('rounds durations to whole seconds (wrk takes no fractions)', () => {
    expect(parseOptions(['--duration', '0.4']).durationS).toBe(1);
  });
});

describe('countFlags', () => {
  it('gives the named flags as integers, in order', () => {
    const values = { requests: '3000', warmup: '40', top: '5' };
    expect(countFlags(values, ['top', 'requests'])).toEqual([5, 3000]);
  });

  it.each(['0', '-2', '1.5', 'x', undefined])('refuses %s, naming the flag', (value) => {
    expect(() => countFlags({ rounds: '3', warmup: value }, ['rounds', 'warmup'])).toThrow(
      new OptionsError(`--warmup must be an integer >= 1, not "${value}"`),
    );
  });
});
