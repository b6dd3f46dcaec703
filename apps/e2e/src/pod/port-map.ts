import { freePort } from '@modelship/testkit';

/** How the pod's ports are placed on the host's loopback interface. */
export type PortMode =
  /** Every pod port gets a free loopback port (safe beside concurrent tests). */
  | 'free'
  /** Every pod port keeps its number (needs those ports to be free; not for shared machines). */
  | 'manifest';

/** The pod's ports (container ports and in-pod listeners) → loopback ports on the host. */
export interface PortMap {
  readonly mode: PortMode;
  /** Pod port → host port, for every port the pod uses. */
  readonly entries: ReadonlyMap<number, number>;
  /** The host port standing in for a pod port. @throws if the pod port was not mapped. */
  local(podPort: number): number;
}

/**
 * Places the pod's ports on loopback. A pod has its own network namespace, so its ports never
 * clash with the host's; a local pod shares the host's, so by default each port is moved to a
 * free one, consistently everywhere it appears (listen directives, upstream addresses, the
 * service's PORT, probes, the Service's target).
 */
export async function allocatePorts(
  podPorts: Iterable<number>,
  mode: PortMode = 'free',
  pickPort: () => Promise<number> = freePort,
): Promise<PortMap> {
  const entries = new Map<number, number>();
  const taken = new Set<number>();
  for (const port of new Set(podPorts)) {
    let host = mode === 'manifest' ? port : await pickPort();
    // A free port stays free until something listens on it: never hand one out twice.
    while (mode === 'free' && taken.has(host)) host = await pickPort();
    taken.add(host);
    entries.set(port, host);
  }
  return {
    mode,
    entries,
    local(podPort) {
      const port = entries.get(podPort);
      if (port === undefined) throw new Error(`pod port ${podPort} is not mapped`);
      return port;
    },
  };
}
