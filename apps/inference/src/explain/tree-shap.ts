import { branchTrue, type TreeEnsemble } from './tree-ensemble.ts';

/**
 * Shapley weights of a leaf reached with `a` players taken from the explained row and `b`
 * from the background row (each differing at a split on the path): the leaf counts in v(S)
 * exactly when S holds the `a` and none of the `b`, a game whose Shapley value is
 * `(a-1)! b! / (a+b)!` for each of the `a` and `-a! (b-1)! / (a+b)!` for each of the `b`.
 */
function leafWeights(players: number): { plus: Float64Array; minus: Float64Array } {
  const n = players + 1;
  const fact = [1];
  for (let i = 1; i <= 2 * n; i++) fact.push((fact[i - 1] as number) * i);
  const plus = new Float64Array(n * n);
  const minus = new Float64Array(n * n);
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      const total = fact[a + b] as number;
      if (a > 0) plus[a * n + b] = ((fact[a - 1] as number) * (fact[b] as number)) / total;
      if (b > 0) minus[a * n + b] = ((fact[a] as number) * (fact[b - 1] as number)) / total;
    }
  }
  return { plus, minus };
}

/**
 * Interventional TreeSHAP with fields as players: `columnField[c]` is the one field column `c`
 * depends on, so that several columns (a one-hot field's) are one player.
 *
 * @example
 * const shap = treeShap(ensemble, columnField, fields);
 * const phi = shap(xColumns, backgroundColumns, rows); // [outputs × fields], summed over rows
 */
export function treeShap(ensemble: TreeEnsemble, columnField: Int32Array, players: number) {
  const { plus, minus } = leafWeights(players);
  const n = players + 1;
  const K = ensemble.outputs;
  const scale = ensemble.average ? 1 / ensemble.trees.length : 1;
  // Per player: 0 undecided, 1 from x, 2 from z; the players decided, in order.
  const side = new Uint8Array(players);
  const stack = new Int32Array(players);

  /** Adds, for row pair (x, z), every tree's Shapley values into `phi` ([K × players]). */
  return (x: ArrayLike<number>, z: ArrayLike<number>, phi: Float64Array): void => {
    let a = 0;
    let b = 0;
    let depth = 0;
    const visit = (tree: TreeEnsemble['trees'][number], p: number): void => {
      const mode = tree.mode[p] as number;
      if (mode === 0) {
        if (depth === 0) return;
        const wPlus = (plus[a * n + b] as number) * scale;
        const wMinus = (minus[a * n + b] as number) * scale;
        for (let k = 0; k < K; k++) {
          const v = tree.value[p * K + k] as number;
          if (v === 0) continue;
          for (let d = 0; d < depth; d++) {
            const f = stack[d] as number;
            phi[k * players + f] =
              (phi[k * players + f] as number) + (side[f] === 1 ? v * wPlus : -v * wMinus);
          }
        }
        return;
      }
      const c = tree.column[p] as number;
      const t = tree.threshold[p] as number;
      const xChild = branchTrue(mode, x[c] as number, t) ? tree.whenTrue[p] : tree.whenFalse[p];
      const zChild = branchTrue(mode, z[c] as number, t) ? tree.whenTrue[p] : tree.whenFalse[p];
      const f = columnField[c] as number;
      if (side[f] === 1 || (side[f] === 0 && xChild === zChild)) {
        visit(tree, xChild as number);
        return;
      }
      if (side[f] === 2) {
        visit(tree, zChild as number);
        return;
      }
      stack[depth++] = f;
      side[f] = 1;
      a++;
      visit(tree, xChild as number);
      side[f] = 2;
      a--;
      b++;
      visit(tree, zChild as number);
      side[f] = 0;
      b--;
      depth--;
    };
    for (const tree of ensemble.trees) visit(tree, 0);
  };
}
