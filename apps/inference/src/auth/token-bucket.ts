/**
 * A token bucket: `burst` requests at once, refilled at `rate` per second. `take` spends one
 * token, or says how long until one is there.
 * @see https://en.wikipedia.org/wiki/Token_bucket
 */
export interface TokenBucket {
  readonly rate: number;
  readonly burst: number;
  /** Spends a token at `nowMs`: 0 if there was one, else the seconds until there is one. */
  take(nowMs: number): number;
}

/** A full bucket of `burst` tokens refilled at `rate` per second (`rate` > 0). */
export function createTokenBucket(rate: number, burst: number, nowMs: number): TokenBucket {
  let tokens = burst;
  let last = nowMs;
  return {
    rate,
    burst,
    take(now) {
      // A clock that steps back refills nothing (performance.now() never does).
      if (now > last) {
        tokens = Math.min(burst, tokens + ((now - last) / 1000) * rate);
        last = now;
      }
      if (tokens >= 1) {
        tokens -= 1;
        return 0;
      }
      return (1 - tokens) / rate;
    },
  };
}
