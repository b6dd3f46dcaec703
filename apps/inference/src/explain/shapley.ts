import type { FeatureRecord } from '@modelship/feature-schema';
import type { Hybrids } from './hybrid.ts';

/** The rows the exact method evaluates for one record, and what each counts for. */
export interface CoalitionPlan {
  readonly hybrids: Hybrids;
  /** The coalition (a bit mask over the players) of each hybrid row. */
  readonly coalition: Int32Array;
  /** Each row's share of its coalition's value: the background rows it stands for / R. */
  readonly weight: Float64Array;
}

/**
 * Every coalition except the empty and the full one, each against every background row, then
 * one row of the full coalition (the record itself). A hybrid of coalition S depends on a
 * background row only through the fields outside S, so rows equal there are evaluated once
 * and weighted by their count: v(S) = Σ weight · f(hybrid).
 */
export function coalitionPlan(
  players: number,
  background: readonly FeatureRecord[],
  names: readonly string[],
): CoalitionPlan {
  const R = background.length;
  const masks: number[] = [];
  const rows: number[] = [];
  const coalition: number[] = [];
  const weight: number[] = [];
  for (let s = 1; s < 2 ** players - 1; s++) {
    const groups = new Map<string, number>();
    background.forEach((z, r) => {
      let key = '';
      for (let f = 0; f < players; f++) {
        if (!((s >> f) & 1)) key += `${z[names[f] as string]}\u0000`;
      }
      const at = groups.get(key);
      if (at === undefined) {
        groups.set(key, weight.length);
        rows.push(r);
        coalition.push(s);
        weight.push(1 / R);
        for (let f = 0; f < players; f++) masks.push((s >> f) & 1);
      } else {
        weight[at] = (weight[at] as number) + 1 / R;
      }
    });
  }
  rows.push(0);
  coalition.push(2 ** players - 1);
  weight.push(1);
  for (let f = 0; f < players; f++) masks.push(1);
  return {
    hybrids: { masks: Uint8Array.from(masks), rows: Int32Array.from(rows) },
    coalition: Int32Array.from(coalition),
    weight: Float64Array.from(weight),
  };
}

/**
 * Exact Shapley values from the values of every coalition: `value[S * outputs + k]` is v(S)
 * for output k, S a bit mask over `players`. φ_i = Σ_{S ∌ i} |S|! (F - |S| - 1)! / F! ·
 * (v(S ∪ {i}) - v(S)). Returns `[outputs × players]`.
 */
export function shapleyFromCoalitions(
  value: Float64Array,
  players: number,
  outputs: number,
): Float64Array {
  const weight = new Float64Array(players);
  const fact = [1];
  for (let i = 1; i <= players; i++) fact.push((fact[i - 1] as number) * i);
  for (let s = 0; s < players; s++) {
    weight[s] =
      ((fact[s] as number) * (fact[players - s - 1] as number)) / (fact[players] as number);
  }
  const size = new Uint8Array(2 ** players);
  for (let s = 1; s < size.length; s++) size[s] = (size[s >> 1] as number) + (s & 1);
  const phi = new Float64Array(outputs * players);
  for (let s = 0; s < size.length; s++) {
    const w = weight[size[s] as number] as number;
    for (let i = 0; i < players; i++) {
      if (s & (1 << i)) continue;
      const t = s | (1 << i);
      for (let k = 0; k < outputs; k++) {
        const at = k * players + i;
        phi[at] =
          (phi[at] as number) +
          w * ((value[t * outputs + k] as number) - (value[s * outputs + k] as number));
      }
    }
  }
  return phi;
}
