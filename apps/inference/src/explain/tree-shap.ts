import { branchTrue, type Tree, type TreeEnsemble } from './tree-ensemble.ts';

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
 * Background rows that take the same branch at every split of a tree give the same values
 * for any explained row: each tree's rows are grouped by their branches, one representative
 * and a count per group.
 */
function branchGroups(tree: Tree, background: readonly ArrayLike<number>[]) {
  const groups = new Map<string, { row: number; count: number }>();
  background.forEach((z, r) => {
    let key = '';
    for (let p = 0; p < tree.mode.length; p++) {
      const mode = tree.mode[p] as number;
      if (mode !== 0) {
        key += branchTrue(mode, z[tree.column[p] as number] as number, tree.threshold[p] as number)
          ? '1'
          : '0';
      }
    }
    const group = groups.get(key);
    if (group) group.count++;
    else groups.set(key, { row: r, count: 1 });
  });
  return [...groups.values()];
}

/**
 * Interventional TreeSHAP with fields as players: `columnField[c]` is the one field column `c`
 * depends on, so that several columns (a one-hot field's) are one player. The values are the
 * mean over the background rows.
 *
 * @example
 * const shap = treeShap(ensemble, columnField, fields, backgroundColumns);
 * const phi = new Float64Array(outputs * fields);
 * shap(xColumns, phi); // phi[k * fields + f]: field f's value for output k
 */
export function treeShap(
  ensemble: TreeEnsemble,
  columnField: Int32Array,
  players: number,
  background: readonly ArrayLike<number>[],
) {
  const { plus, minus } = leafWeights(players);
  const n = players + 1;
  const K = ensemble.outputs;
  const scale = (ensemble.average ? 1 / ensemble.trees.length : 1) / background.length;
  const groups = ensemble.trees.map((tree) => branchGroups(tree, background));
  // Per player: 0 undecided, 1 from x, 2 from z; the players decided, in order.
  const side = new Uint8Array(players);
  const stack = new Int32Array(players);
  let a = 0;
  let b = 0;
  let depth = 0;
  let weight = 0;
  let x: ArrayLike<number> = [];
  let z: ArrayLike<number> = [];
  let phi: Float64Array = new Float64Array(0);

  const visit = (tree: Tree, p: number): void => {
    const mode = tree.mode[p] as number;
    if (mode === 0) {
      if (depth === 0) return;
      const wPlus = (plus[a * n + b] as number) * weight;
      const wMinus = (minus[a * n + b] as number) * weight;
      for (let k = 0; k < K; k++) {
        const v = tree.value[p * K + k] as number;
        if (v === 0) continue;
        for (let d = 0; d < depth; d++) {
          const f = stack[d] as number;
          const at = k * players + f;
          phi[at] = (phi[at] as number) + (side[f] === 1 ? v * wPlus : -v * wMinus);
        }
      }
      return;
    }
    const c = tree.column[p] as number;
    const t = tree.threshold[p] as number;
    const xChild = (
      branchTrue(mode, x[c] as number, t) ? tree.whenTrue[p] : tree.whenFalse[p]
    ) as number;
    const zChild = (
      branchTrue(mode, z[c] as number, t) ? tree.whenTrue[p] : tree.whenFalse[p]
    ) as number;
    const f = columnField[c] as number;
    if (side[f] === 1 || (side[f] === 0 && xChild === zChild)) {
      visit(tree, xChild);
      return;
    }
    if (side[f] === 2) {
      visit(tree, zChild);
      return;
    }
    stack[depth++] = f;
    side[f] = 1;
    a++;
    visit(tree, xChild);
    side[f] = 2;
    a--;
    b++;
    visit(tree, zChild);
    side[f] = 0;
    b--;
    depth--;
  };

  /** Adds the explained row's Shapley values into `into` (`[outputs × players]`). */
  return (row: ArrayLike<number>, into: Float64Array): void => {
    x = row;
    phi = into;
    ensemble.trees.forEach((tree, t) => {
      for (const group of groups[t] ?? []) {
        z = background[group.row] as ArrayLike<number>;
        weight = group.count * scale;
        visit(tree, 0);
      }
    });
  };
}
