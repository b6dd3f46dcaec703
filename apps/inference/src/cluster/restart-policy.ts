/** How the primary restarts workers that die, and when it gives up. */
export interface RestartPolicy {
  /** Delay before the first restart; each further exit within `windowMs` doubles it. */
  readonly baseDelayMs: number;
  /** The longest delay. */
  readonly maxDelayMs: number;
  /** The window over which unexpected exits are counted. */
  readonly windowMs: number;
  /**
   * Restarts allowed within `windowMs`: one more unexpected exit ends the primary with exit
   * code 1 (a crash loop; the kubelet restarts the container, with its own backoff).
   */
  readonly maxRestarts: number;
}

/** 0.5 s, 1 s, 2 s, 4 s, 8 s, then the sixth exit within a minute ends the primary. */
export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  windowMs: 60_000,
  maxRestarts: 5,
};

/** What to do about one more unexpected worker exit. */
export type RestartDecision =
  | { readonly restart: true; readonly delayMs: number; readonly recentExits: number }
  | { readonly restart: false; readonly recentExits: number };

/**
 * Records an unexpected exit at `nowMs` in `exits` (the times of earlier ones; pruned to the
 * window in place) and decides: restart after a delay doubling with each recent exit, or give
 * up once more than `maxRestarts` exits fall within the window.
 */
export function decideRestart(
  exits: number[],
  nowMs: number,
  policy: RestartPolicy = DEFAULT_RESTART_POLICY,
): RestartDecision {
  const recent = exits.filter((t) => nowMs - t < policy.windowMs);
  recent.push(nowMs);
  exits.splice(0, exits.length, ...recent);
  const recentExits = recent.length;
  if (recentExits > policy.maxRestarts) return { restart: false, recentExits };
  const delayMs = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (recentExits - 1));
  return { restart: true, delayMs, recentExits };
}
