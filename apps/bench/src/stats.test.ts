import { describe, expect, it } from 'vitest';
import { median, ratio } from './stats.ts';

describe('median', () => {
  it('takes the middle value, or the mean of the two middle values', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
  it('rejects an empty list', () => {
    expect(() => median([])).toThrow();
  });
});

describe('ratio', () => {
  it('divides, and is null without a denominator', () => {
    expect(ratio(30, 2)).toBe(15);
    expect(ratio(1, 0)).toBeNull();
    expect(ratio(undefined, 2)).toBeNull();
  });
});
