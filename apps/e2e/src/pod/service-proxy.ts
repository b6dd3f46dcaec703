import { connect, createServer, type Server, type Socket } from 'node:net';

/** A TCP forwarder standing in for the Service (kube-proxy / the load balancer). */
export interface ServiceProxy {
  /** The loopback port standing in for the Service's port. */
  readonly port: number;
  /** Connections forwarded so far. */
  readonly connections: number;
  /** Stops accepting and closes every forwarded connection. */
  close(): Promise<void>;
}

/**
 * Forwards connections from a free loopback port (the Service's port 80 cannot be bound by a
 * test on a shared machine) to the target container's host port, byte for byte, like
 * kube-proxy forwards a Service port to a pod's targetPort.
 */
export async function startServiceProxy(targetPort: number): Promise<ServiceProxy> {
  const open = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((client) => {
    connections++;
    const upstream = connect({ host: '127.0.0.1', port: targetPort });
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
  return {
    port,
    get connections() {
      return connections;
    },
    close() {
      for (const socket of open) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
