import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApiKeyClient } from '@modelship/contract';
import { createTokenBucket, type TokenBucket } from './token-bucket.ts';

/** A client of the key file, ready to check: its hash's bytes and its bucket (none: no limit). */
export interface KnownClient {
  readonly name: string;
  readonly hash: Buffer;
  readonly bucket: TokenBucket | undefined;
}

/** The limits a line without `rate=`/`burst=` gets (`API_KEYS_RATE`, `API_KEYS_BURST`). */
export interface RateDefaults {
  /** Requests per second; 0: unlimited. */
  readonly rate: number;
  /** The bucket's size. @default the rate rounded up, at least 1 */
  readonly burst?: number | undefined;
}

/** The clients of one version of the key file, swapped as a whole on rotation. */
export interface KeySet {
  readonly clients: readonly KnownClient[];
  /** The client whose key this is, or undefined. */
  identify(key: string): KnownClient | undefined;
}

/** Longest key worth hashing: ours are 46 characters; anything this long is no key of ours. */
const MAX_KEY_LENGTH = 512;

/**
 * Builds a key set. A client whose name and limits are those of a client of `previous` keeps
 * its bucket, so a rotation neither refills nor empties anyone's allowance.
 */
export function createKeySet(
  clients: readonly ApiKeyClient[],
  defaults: RateDefaults,
  nowMs: number,
  previous?: KeySet,
): KeySet {
  const before = new Map(previous?.clients.map((c) => [c.name, c.bucket]));
  const known: KnownClient[] = clients.map((client) => {
    const rate = client.rate ?? defaults.rate;
    const burst = client.burst ?? defaults.burst ?? Math.max(1, Math.ceil(rate));
    const kept = before.get(client.name);
    const bucket =
      rate === 0
        ? undefined
        : kept && kept.rate === rate && kept.burst === burst
          ? kept
          : createTokenBucket(rate, burst, nowMs);
    return { name: client.name, hash: Buffer.from(client.sha256, 'hex'), bucket };
  });
  const byHash = new Map(known.map((client) => [client.hash.toString('base64'), client]));
  return {
    clients: known,
    identify(key) {
      if (key.length === 0 || key.length > MAX_KEY_LENGTH) return undefined;
      const presented = createHash('sha256').update(key, 'utf8').digest();
      // Looked up by the digest (one step for any number of clients; its timing can only tell
      // about hashes, which reveal no key), then confirmed in constant time.
      const client = byHash.get(presented.toString('base64'));
      return client !== undefined && timingSafeEqual(presented, client.hash) ? client : undefined;
    },
  };
}
