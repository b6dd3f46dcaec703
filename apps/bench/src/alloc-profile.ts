/** The parts of a V8 sampling heap profile (`HeapProfiler.stopSampling`'s `profile`) read here. */
export interface HeapProfileNode {
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
    readonly columnNumber: number;
  };
  /** Estimated bytes allocated by this stack's own frame (V8 scales the samples up). */
  readonly selfSize: number;
  readonly children: readonly HeapProfileNode[];
}

/** A sampling heap profile: its call tree. */
export interface HeapProfile {
  readonly head: HeapProfileNode;
}

/** One function's allocation over the profiled window. */
export interface AllocatingFunction {
  /** `name (file:line)` */
  readonly name: string;
  /** Bytes allocated by the function itself. */
  readonly selfBytes: number;
  /** Bytes allocated with the function anywhere on the stack (counted once when recursive). */
  readonly totalBytes: number;
}

/** What a profile says: total bytes and every allocating function, by self bytes, largest first. */
export interface Allocation {
  readonly totalBytes: number;
  readonly functions: readonly AllocatingFunction[];
}

/** Where a frame's code is: `file:line`, 1-based (e.g. from a bundle's source map). */
export type Locate = (frame: HeapProfileNode['callFrame']) => string | undefined;

function frameName(frame: HeapProfileNode['callFrame'], locate: Locate): string {
  const name = frame.functionName || '(anonymous)';
  const located = locate(frame);
  if (located !== undefined) return `${name} (${located})`;
  const file = frame.url.split('/').at(-1) ?? '';
  return file ? `${name} (${file}:${frame.lineNumber + 1})` : name;
}

/**
 * Sums a sampling heap profile by function (self and inclusive bytes); `locate` names where a
 * frame's code is (a bundle's source map), else the profile's file and line.
 */
export function allocationByFunction(
  profile: HeapProfile,
  locate: Locate = () => undefined,
): Allocation {
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let totalBytes = 0;
  // Depth first, with the names already on the stack (a recursive function counts once).
  const visit = (node: HeapProfileNode, stack: readonly string[]): number => {
    const name = frameName(node.callFrame, locate);
    const onStack = stack.includes(name);
    const below = node.children.reduce(
      (sum, child) => sum + visit(child, onStack ? stack : [...stack, name]),
      0,
    );
    const bytes = node.selfSize + below;
    self.set(name, (self.get(name) ?? 0) + node.selfSize);
    if (!onStack) inclusive.set(name, (inclusive.get(name) ?? 0) + bytes);
    totalBytes += node.selfSize;
    return bytes;
  };
  visit(profile.head, []);
  const functions = [...self.entries()]
    .map(([name, selfBytes]) => ({ name, selfBytes, totalBytes: inclusive.get(name) ?? 0 }))
    .filter((f) => f.selfBytes > 0 || f.totalBytes > 0)
    .sort((a, b) => b.selfBytes - a.selfBytes);
  return { totalBytes, functions };
}

/** The report's lines: KB per request and scavenges per 1,000, then the top `top` functions. */
export function allocationReport(
  allocation: Allocation,
  requests: number,
  scavengesPer1000: number,
  top: number,
): string {
  const kb = (bytes: number) => (bytes / requests / 1024).toFixed(2);
  const share = (bytes: number) => `${((bytes / (allocation.totalBytes || 1)) * 100).toFixed(1)}%`;
  const lines = [
    `${kb(allocation.totalBytes)} KB allocated per request, ${scavengesPer1000.toFixed(2)} scavenges per 1,000 requests`,
    'self KB/request  share  (inclusive KB/request)  function',
  ];
  for (const f of allocation.functions.slice(0, top)) {
    lines.push(
      `${kb(f.selfBytes).padStart(15)}  ${share(f.selfBytes).padStart(5)}  (${kb(f.totalBytes)})  ${f.name}`,
    );
  }
  return lines.join('\n');
}
