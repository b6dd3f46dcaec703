import { API_KEYS_MAX_CLIENTS, hashApiKey } from '@modelship/contract';
import { describe, expect, it } from 'vitest';
import { createKeySet } from './key-set.ts';

describe('the key set', () => {
  const keys = Array.from({ length: API_KEYS_MAX_CLIENTS }, (_, i) => `ms_key-${i}`);
  const set = createKeySet(
    keys.map((key, i) => ({ name: `client-${i}`, sha256: hashApiKey(key) })),
    { rate: 0 },
    0,
  );

  it('finds the client of each key among the most a file may hold', () => {
    expect(keys.map((key) => set.identify(key)?.name)).toEqual(keys.map((_, i) => `client-${i}`));
  });

  it('finds no one for an unknown key, a hash, an empty or an overlong key', () => {
    for (const key of ['ms_key-x', hashApiKey('ms_key-1'), '', `ms_key-1${' '.repeat(600)}`]) {
      expect(set.identify(key)).toBeUndefined();
    }
  });

  it('gives no bucket to an unlimited client, and its own to a limited one', () => {
    const limited = createKeySet(
      [
        { name: 'a', sha256: hashApiKey('a'), rate: 5 },
        { name: 'b', sha256: hashApiKey('b') },
      ],
      { rate: 0 },
      0,
    );
    expect(limited.clients.map((c) => c.bucket && [c.bucket.rate, c.bucket.burst])).toEqual([
      [5, 5],
      undefined,
    ]);
  });
});
