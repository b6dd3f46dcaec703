import { Agent } from 'node:http';
import { type SendInit, send } from '../http/send.ts';

/** One request of a load run. Times are `Date.now()`. */
export interface LoadResult {
  readonly startedAt: number;
  readonly endedAt: number;
  readonly status?: number;
  readonly error?: string;
  /** An error code from the socket (`ECONNREFUSED`, `ECONNRESET`, ...). */
  readonly code?: string;
  readonly ok: boolean;
  /**
   * After {@link LoadGenerator.reroute}: the client needed a new connection, which the load
   * balancer now sends to another pod, so its traffic has left the pod under test. Neither ok
   * nor failed; the client stops.
   */
  readonly rerouted?: boolean;
}

/** What a load run saw. */
export interface LoadReport {
  readonly results: readonly LoadResult[];
  readonly ok: number;
  /** Requests that failed: an error status, or an error on an open connection. */
  readonly failed: readonly LoadResult[];
  /** Clients that needed a new connection after `reroute()`, and stopped. */
  readonly rerouted: number;
}

/** A running load generator. */
export interface LoadGenerator {
  /** Requests finished so far. */
  readonly completed: number;
  /** Clients still sending (each stops when rerouted, or on `stop()`). */
  readonly active: number;
  /**
   * From now on, new connections go to another pod, as a passthrough load balancer routes
   * them once the pod has left the Service; established keep-alive connections stay pinned
   * to the pod. A client whose connection is gone stops there (rerouted).
   */
  reroute(): void;
  /** Stops sending new requests, waits for those in flight, closes its connections. */
  stop(): Promise<LoadReport>;
}

/** Options of {@link startLoad}. */
export interface LoadOptions {
  readonly baseUrl: string;
  readonly path: string;
  /** The request to repeat. */
  readonly request: SendInit;
  /** Concurrent clients, each sending its next request when the last one is answered. @default 4 */
  readonly concurrency?: number;
  /** What counts as a success. @default status 200 */
  readonly isOk?: (status: number) => boolean;
  /**
   * Source addresses, client `i` connecting from `sourceAddresses[i % length]` (any
   * 127.0.0.0/8 address works on loopback): clients of a load balancer come from many
   * addresses, and nginx limits each address. @default the system's choice (127.0.0.1)
   */
  readonly sourceAddresses?: readonly string[];
  /**
   * Each client's pace: at most this many requests a second (a client waits between its
   * requests, as a program calling an API does). @default unpaced (a closed loop)
   */
  readonly requestsPerSecond?: number;
}

/**
 * Sends the same request from `concurrency` clients (a closed loop, or paced) over keep-alive
 * connections (as a load balancer keeps them) until stopped; records every outcome, so that
 * one failed request among thousands is visible.
 */
export function startLoad(options: LoadOptions): LoadGenerator {
  const { baseUrl, path, request, concurrency = 4, isOk = (status) => status === 200 } = options;
  const { sourceAddresses = [], requestsPerSecond } = options;
  const intervalMs = requestsPerSecond === undefined ? 0 : 1000 / requestsPerSecond;
  const results: LoadResult[] = [];
  let stopping = false;
  let rerouting = false;
  let active = concurrency;
  const agents: Agent[] = [];
  /** True when the client's kept-alive connection is open and idle (its next request's). */
  const pinned = (agent: Agent) =>
    Object.values(agent.freeSockets).some((sockets) => (sockets?.length ?? 0) > 0);
  // One agent (one connection at a time) per client, as each client of a load balancer has.
  const client = async (_: unknown, index: number) => {
    const localAddress = sourceAddresses[index % sourceAddresses.length];
    const agent = new Agent({
      keepAlive: true,
      maxSockets: 1,
      ...(localAddress === undefined ? {} : { localAddress }),
    });
    agents.push(agent);
    let nextAt = Date.now();
    for (;;) {
      const wait = nextAt - Date.now();
      if (wait > 0 && !stopping) await new Promise((resolve) => setTimeout(resolve, wait));
      nextAt = Date.now() + intervalMs;
      if (stopping) break;
      // The socket returns to the agent's free list just after the response has ended.
      if (rerouting) await new Promise((resolve) => setImmediate(resolve));
      if (rerouting && !pinned(agent)) {
        const now = Date.now();
        results.push({ startedAt: now, endedAt: now, ok: false, rerouted: true });
        break;
      }
      const startedAt = Date.now();
      try {
        const reply = await send(baseUrl, path, { ...request, agent, timeoutMs: 30_000 });
        results.push({
          startedAt,
          endedAt: Date.now(),
          status: reply.status,
          ok: isOk(reply.status),
        });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        results.push({
          startedAt,
          endedAt: Date.now(),
          error: String(error),
          ...(code ? { code } : {}),
          ok: false,
        });
      }
    }
    active--;
  };
  const clients = Array.from({ length: concurrency }, client);
  return {
    get completed() {
      return results.length;
    },
    get active() {
      return active;
    },
    reroute() {
      rerouting = true;
    },
    async stop() {
      stopping = true;
      await Promise.all(clients);
      for (const agent of agents) agent.destroy();
      const failed = results.filter((result) => !result.ok && !result.rerouted);
      const rerouted = results.filter((result) => result.rerouted).length;
      return { results, ok: results.length - failed.length - rerouted, failed, rerouted };
    },
  };
}
