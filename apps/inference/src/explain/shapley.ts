import type { Hybrids } from './hybrid.ts';

/**
 * Every coalition except the empty and the full one, each against every background row:
 * coalition S (a bit mask over `players`, 1 ... 2^F - 2) takes rows (S - 1) × R ... S × R - 1;
 * then one row of the full coalition (the explained record itself).
 */
export function coalitionHybrids(players: number, backgroundRows: number): Hybrids {
  const coalitions = 2 ** players - 2;
  const n = coalitions * backgroundRows + 1;
  const masks = new Uint8Array(n * players);
  const rows = new Int32Array(n);
  for (let s = 1; s <= coalitions; s++) {
    for (let r = 0; r < backgroundRows; r++) {
      const h = (s - 1) * backgroundRows + r;
      rows[h] = r;
      for (let f = 0; f < players; f++) masks[h * players + f] = (s >> f) & 1;
    }
  }
  masks.fill(1, (n - 1) * players);
  return { masks, rows };
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
