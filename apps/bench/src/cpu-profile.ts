/** The parts of a V8 `.cpuprofile` (written by `node --cpu-prof`) this module reads. */
export interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: {
      readonly functionName: string;
      readonly url: string;
      readonly lineNumber: number;
    };
    readonly children?: readonly number[];
  }[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** One function's share of the sampled time. */
export interface HotFunction {
  /** `name (file:line)` */
  readonly name: string;
  /** Percent of all samples spent in the function itself. */
  readonly selfPct: number;
  /** Percent of all samples with the function anywhere on the stack. */
  readonly totalPct: number;
}

function frameName(frame: CpuProfile['nodes'][number]['callFrame']): string {
  const file = frame.url.split('/').at(-1) ?? '';
  const name = frame.functionName || '(anonymous)';
  return file ? `${name} (${file}:${frame.lineNumber + 1})` : name;
}

/**
 * Aggregates a CPU profile by function: self time and inclusive time (a function counted
 * once per sample even when recursive), sorted by inclusive time.
 */
export function hotFunctions(profile: CpuProfile): HotFunction[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const selfTime = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    selfTime.set(id, (selfTime.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const total = [...selfTime.values()].reduce((a, b) => a + b, 0) || 1;
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, time] of selfTime) {
    const leaf = byId.get(id);
    if (!leaf) continue;
    const leafName = frameName(leaf.callFrame);
    self.set(leafName, (self.get(leafName) ?? 0) + time);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const node = byId.get(at);
      if (!node) break;
      const name = frameName(node.callFrame);
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + time);
    }
  }
  return [...inclusive.entries()]
    .map(([name, time]) => ({
      name,
      selfPct: ((self.get(name) ?? 0) / total) * 100,
      totalPct: (time / total) * 100,
    }))
    .sort((a, b) => b.totalPct - a.totalPct);
}
