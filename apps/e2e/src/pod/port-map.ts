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
): Promise<PortMap> {
  const entries = new Map<number, number>();
  for (const port of new Set(podPorts)) {
    entries.set(port, mode === 'manifest' ? port : await freePort());
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
