import { describe, expect, it } from 'vitest';
import { createTokenBucket } from './token-bucket.ts';

describe('the token bucket', () => {
  it('lets a burst through at once, then one request per 1/rate seconds', () => {
    const bucket = createTokenBucket(2, 3, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([0, 0, 0]);
    expect(bucket.take(0)).toBeCloseTo(0.5);
    expect(bucket.take(250)).toBeCloseTo(0.25);
    expect(bucket.take(500)).toBe(0);
    expect(bucket.take(500)).toBeCloseTo(0.5);
  });

  it('never holds more than its burst, however long it waited', () => {
    const bucket = createTokenBucket(10, 2, 0);
    const answers = Array.from({ length: 3 }, () => bucket.take(60_000));
    expect(answers.map((wait) => wait === 0)).toEqual([true, true, false]);
  });

  it('waits longer at a slow rate, and refills nothing when the clock steps back', () => {
    const bucket = createTokenBucket(0.1, 1, 1000);
    expect(bucket.take(1000)).toBe(0);
    expect(bucket.take(500)).toBeCloseTo(10);
    expect(bucket.take(6000)).toBeCloseTo(5);
  });
});
