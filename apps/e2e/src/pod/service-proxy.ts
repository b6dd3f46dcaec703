import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Service } from '../manifest/types.ts';

/** A TCP forwarder standing in for the Service (kube-proxy / a passthrough load balancer). */
export interface ServiceProxy {
  /** The loopback port standing in for the Service's port. */
  readonly port: number;
  /** Connections forwarded so far. */
  readonly connections: number;
  /** Connections forwarded so far, per endpoint port. */
  readonly connectionsTo: ReadonlyMap<number, number>;
  /**
   * Replaces the endpoints that new connections go to, as kube-proxy does when an
   * EndpointSlice changes. Connections already forwarded stay pinned to their endpoint (as
   * conntrack keeps them). A pod that leaves the only Service it is in is modelled on the
   * client side instead (`LoadGenerator.reroute`): closing this listener would reset
   * connections the kernel has already accepted, which kube-proxy never does.
   * @throws when `ports` is empty.
   */
  setEndpoints(ports: readonly number[]): void;
  /** Stops accepting and closes every forwarded connection. */
  close(): Promise<void>;
}

/**
 * Whose address the endpoint sees as the connection's source:
 * - `snat`: the forwarder's own (127.0.0.1), as a node's address replaces the client's with
 *   `externalTrafficPolicy: Cluster`, and as `kubectl port-forward` connects from the pod;
 * - `preserve`: the client's (any 127.0.0.0/8 address on loopback), as with `Local`.
 */
export type ClientAddressMode = 'snat' | 'preserve';

/**
 * How a Service delivers its clients' addresses: kept with `externalTrafficPolicy: Local` on a
 * LoadBalancer or NodePort Service, replaced otherwise (Kubernetes' default is `Cluster`).
 */
export function clientAddressOf(service: Service): ClientAddressMode {
  const external = service.spec.type === 'LoadBalancer' || service.spec.type === 'NodePort';
  return external && service.spec.externalTrafficPolicy === 'Local' ? 'preserve' : 'snat';
}

/** Options of {@link startServiceProxy}. */
export interface ServiceProxyOptions {
  /** @default 'snat' */
  readonly clientAddress?: ClientAddressMode;
}

/**
 * Forwards connections from a free loopback port (the Service's port 80 cannot be bound by a
 * test on a shared machine) to the endpoints' host ports, byte for byte and round robin, like
 * kube-proxy forwards a Service port to its pods' targetPort; the endpoint sees the client's
 * address or the forwarder's, as `clientAddress` says.
 */
export async function startServiceProxy(
  endpoints: number | readonly number[],
  options: ServiceProxyOptions = {},
): Promise<ServiceProxy> {
  const { clientAddress = 'snat' } = options;
  const open = new Set<Socket>();
  const counts = new Map<number, number>();
  let targets = typeof endpoints === 'number' ? [endpoints] : [...endpoints];
  let connections = 0;
  const server: Server = createServer((client) => {
    const target = targets[connections % targets.length] ?? 0;
    connections++;
    counts.set(target, (counts.get(target) ?? 0) + 1);
    const upstream = connect({
      host: '127.0.0.1',
      port: target,
      ...(clientAddress === 'preserve' && client.remoteAddress
        ? { localAddress: client.remoteAddress }
        : {}),
    });
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.once('close', () => open.delete(socket));
    }
    client.pipe(upstream).pipe(client);
    // A reset on one side is passed on as a reset, never as a clean end.
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.end());
    upstream.on('close', () => client.end());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  let stopped: Promise<void> | undefined;
  return {
    port,
    get connections() {
      return connections;
    },
    connectionsTo: counts,
    setEndpoints(ports) {
      if (ports.length === 0) throw new Error('a Service stand-in needs at least one endpoint');
      targets = [...ports];
    },
    close() {
      for (const socket of open) socket.destroy();
      stopped ??= new Promise<void>((resolve) => server.close(() => resolve()));
      return stopped;
    },
  };
}
