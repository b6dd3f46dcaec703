import type { Hybrids } from './hybrid.ts';

/** Antithetic permutation samples: pairs of a random order and its reverse, one row each. */
export interface PermutationPlan {
  /** `permutations × players`: the order in which each permutation adds players. */
  readonly order: Int32Array;
  /** The background row of each permutation (a pair shares its row). */
  readonly row: Int32Array;
  /** For each permutation, its prefixes of 1 ... F - 1 players, then one full row. */
  readonly hybrids: Hybrids;
}

/** Plans `pairs` antithetic pairs of permutations over `players` against `backgroundRows`. */
export function permutationPlan(
  players: number,
  backgroundRows: number,
  pairs: number,
  random: () => number,
): PermutationPlan {
  const P = pairs * 2;
  const order = new Int32Array(P * players);
  const row = new Int32Array(P);
  for (let p = 0; p < P; p += 2) {
    const perm = Array.from({ length: players }, (_, i) => i);
    for (let i = players - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [perm[i], perm[j]] = [perm[j] as number, perm[i] as number];
    }
    order.set(perm, p * players);
    order.set(perm.reverse(), (p + 1) * players);
    row[p] = row[p + 1] = Math.floor(random() * backgroundRows);
  }
  const steps = players - 1;
  const n = P * steps + 1;
  const masks = new Uint8Array(n * players);
  const rows = new Int32Array(n);
  for (let p = 0; p < P; p++) {
    for (let k = 0; k < steps; k++) {
      const h = p * steps + k;
      rows[h] = row[p] as number;
      for (let j = 0; j <= k; j++) masks[h * players + (order[p * players + j] as number)] = 1;
    }
  }
  masks.fill(1, (n - 1) * players);
  return { order, row, hybrids: { masks, rows } };
}

/**
 * Shapley estimates and their standard errors from a plan's model outputs: `values` holds
 * the hybrids' outputs (`outputs` per row), `start[r]` the output of background row r.
 * Each pair's mean marginal contributions are one independent sample. Returns
 * `[outputs × players]` arrays.
 */
export function samplingEstimate(
  plan: PermutationPlan,
  values: Float64Array,
  start: Float64Array,
  players: number,
  outputs: number,
): { phi: Float64Array; se: Float64Array } {
  const P = plan.row.length;
  const steps = players - 1;
  const last = P * steps;
  const sum = new Float64Array(outputs * players);
  const sumSq = new Float64Array(outputs * players);
  const pair = new Float64Array(outputs * players);
  for (let p = 0; p < P; p++) {
    if (p % 2 === 0) pair.fill(0);
    const r = plan.row[p] as number;
    for (let k = 0; k < outputs; k++) {
      let previous = start[r * outputs + k] as number;
      for (let j = 0; j < players; j++) {
        const h = j < steps ? p * steps + j : last;
        const v = values[h * outputs + k] as number;
        const f = plan.order[p * players + j] as number;
        pair[k * players + f] = (pair[k * players + f] as number) + (v - previous) / 2;
        previous = v;
      }
    }
    if (p % 2 === 1) {
      for (let i = 0; i < pair.length; i++) {
        const m = pair[i] as number;
        sum[i] = (sum[i] as number) + m;
        sumSq[i] = (sumSq[i] as number) + m * m;
      }
    }
  }
  const pairs = P / 2;
  const phi = sum.map((s) => s / pairs);
  const se = sumSq.map((sq, i) => {
    const mean = phi[i] as number;
    const variance = pairs > 1 ? Math.max(0, (sq - pairs * mean * mean) / (pairs - 1)) : 0;
    return Math.sqrt(variance / pairs);
  });
  return { phi, se };
}
