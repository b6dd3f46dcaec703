import { describe, expect, it } from 'vitest';
import { unknownKeysBody } from './amplification.ts';

describe('unknownKeysBody', () => {
  it('is one JSON object of a record plus unknown keys, just under the size asked', () => {
    const { body, keys } = unknownKeysBody(10_000);
    expect(body.length).toBeLessThanOrEqual(10_000);
    expect(body.length).toBeGreaterThan(9_990);
    const parsed = JSON.parse(body) as Record<string, unknown>;
    expect(parsed).toMatchObject({ sex: expect.any(String), smoker: expect.any(String) });
    expect(body.split(':').length - 1).toBe(keys + 6);
  });
});
