import { describe, expect, it } from 'vitest';
import { type MonitoredDistribution, windowPsi } from './drift-monitor.ts';

const distribution = (live: number[]): MonitoredDistribution => ({
  name: 'x',
  bins: ['a', 'b'],
  expected: Float64Array.of(0.5, 0.5),
  live: Float64Array.from(live),
  total: Float64Array.from(live),
  minRecords: 10,
});

describe('windowPsi', () => {
  it('is NaN below the records the bins need, the PSI from there on', () => {
    expect(windowPsi(distribution([6, 3]))).toBeNaN();
    expect(windowPsi(distribution([6, 4]))).toBeCloseTo(0.1 * Math.log(1.5), 12);
    expect(windowPsi(distribution([30, 10]))).toBeCloseTo(0.25 * Math.log(3), 12);
  });
});
