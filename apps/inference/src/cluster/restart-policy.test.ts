import { describe, expect, it } from 'vitest';
import { DEFAULT_RESTART_POLICY, decideRestart } from './restart-policy.ts';

describe('the restart policy of worker processes', () => {
  it('doubles the delay with each exit within the window and gives up past maxRestarts', () => {
    const exits: number[] = [];
    const decisions = [0, 1_000, 2_000, 3_000, 4_000, 5_000].map((t) => decideRestart(exits, t));
    expect(decisions.map((d) => (d.restart ? d.delayMs : 'give up'))).toEqual([
      500,
      1_000,
      2_000,
      4_000,
      8_000,
      'give up',
    ]);
    expect(decisions.at(-1)?.recentExits).toBe(DEFAULT_RESTART_POLICY.maxRestarts + 1);
  });

  it('forgets exits older than the window, so occasional crashes always restart', () => {
    const exits: number[] = [];
    for (let i = 0; i < 20; i += 1) {
      const decision = decideRestart(exits, i * 61_000);
      expect(decision).toEqual({ restart: true, delayMs: 500, recentExits: 1 });
    }
    expect(exits).toHaveLength(1);
  });

  it('caps the delay at maxDelayMs', () => {
    const policy = { baseDelayMs: 100, maxDelayMs: 250, windowMs: 60_000, maxRestarts: 10 };
    const exits: number[] = [];
    const delays = [1, 2, 3, 4].map((t) => decideRestart(exits, t, policy));
    expect(delays.map((d) => d.restart && d.delayMs)).toEqual([100, 200, 250, 250]);
  });
});
