import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Binds `port` on every interface (0 = the kernel's choice) and releases it; the port, or undefined. */
function tryListen(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen({ port, host: '0.0.0.0', exclusive: true }, () => {
      const address = server.address();
      server.close(() =>
        resolve(address && typeof address === 'object' ? address.port : undefined),
      );
    });
  });
}

/** The first port of the kernel's ephemeral range (Linux), else the usual 32768. */
function ephemeralStart(): number {
  try {
    const [start] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/);
    const value = Number(start);
    return Number.isInteger(value) && value > 2048 ? value : 32768;
  } catch {
    return 32768;
  }
}

/** Ports this process has handed out: never handed out twice. */
const handedOut = new Set<number>();

/**
 * A TCP port that was free on every interface a moment ago, for a server started right after.
 * It is drawn at random below the kernel's ephemeral range: ports the kernel hands out (to
 * outgoing connections, and to `listen(0)`) churn fast when tests open thousands of
 * connections, and one of them could take the port between this check and the server's bind.
 */
export async function freePort(): Promise<number> {
  const end = ephemeralStart() - 1;
  const start = Math.max(1025, end - 12_000);
  for (let attempt = 0; attempt < 50; attempt++) {
    const candidate = randomInt(start, end + 1);
    // Pods started side by side each take several ports before any of them listens.
    if (handedOut.has(candidate)) continue;
    const port = await tryListen(candidate);
    if (port !== undefined) {
      handedOut.add(port);
      return port;
    }
  }
  const port = await tryListen(0);
  if (port === undefined) throw new Error('no free port');
  return port;
}
