import { describe, expect, it } from 'vitest';
import { createBinWindow } from './bin-window.ts';

/** Adds one record whose two bin indexes are `bins`. */
const record = (...bins: number[]) => Uint32Array.from(bins);

describe('a record window', () => {
  it('keeps the last N records: the oldest leaves as a new one comes', () => {
    const w = createBinWindow(4, 2, { kind: 'records', records: 3 });
    w.add(record(0, 2), 0);
    w.add(record(0, 3), 0);
    w.add(record(1, 3), 0);
    expect([...w.counts]).toEqual([2, 1, 1, 2]);
    w.add(record(1, 2), 0); // the first record (0, 2) leaves
    expect([...w.counts]).toEqual([1, 2, 1, 2]);
    expect(w.records()).toBe(3);
    expect(w.description).toBe('the last 3 records');
  });
});

describe('a duration window', () => {
  it('counts the records of the last duration, expiring them slice by slice', () => {
    const w = createBinWindow(2, 1, { kind: 'duration', seconds: 60 }); // 1 s slices
    w.add(record(0), 0);
    w.add(record(1), 30_000);
    expect([...w.counts]).toEqual([1, 1]);
    w.advance(60_500); // the record at 0 s is now more than 60 s old
    expect([...w.counts]).toEqual([0, 1]);
    expect(w.records()).toBe(1);
    w.advance(10 * 60_000); // long idle: everything expired
    expect([...w.counts]).toEqual([0, 0]);
    expect(w.records()).toBe(0);
    w.add(record(1), 10 * 60_000 + 1);
    expect([...w.counts]).toEqual([0, 1]);
    expect(w.description).toBe('the last 1m');
  });
});
