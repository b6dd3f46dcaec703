import { Agent } from 'node:http';
import { type SendInit, send } from '../http/send.ts';

/** One request of a load run. Times are `Date.now()`. */
export interface LoadResult {
  readonly startedAt: number;
  readonly endedAt: number;
  readonly status?: number;
  readonly error?: string;
  readonly ok: boolean;
}

/** What a load run saw. */
export interface LoadReport {
  readonly results: readonly LoadResult[];
  readonly ok: number;
  readonly failed: readonly LoadResult[];
}

/** A running load generator. */
export interface LoadGenerator {
  /** Requests finished so far. */
  readonly completed: number;
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
}

/**
 * Sends the same request in a closed loop from `concurrency` clients over keep-alive
 * connections (as a load balancer keeps them) until stopped; records every outcome, so that
 * one failed request among thousands is visible.
 */
export function startLoad(options: LoadOptions): LoadGenerator {
  const { baseUrl, path, request, concurrency = 4, isOk = (status) => status === 200 } = options;
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const results: LoadResult[] = [];
  let stopping = false;
  const client = async () => {
    while (!stopping) {
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
        results.push({ startedAt, endedAt: Date.now(), error: String(error), ok: false });
      }
    }
  };
  const clients = Array.from({ length: concurrency }, client);
  return {
    get completed() {
      return results.length;
    },
    async stop() {
      stopping = true;
      await Promise.all(clients);
      agent.destroy();
      const failed = results.filter((result) => !result.ok);
      return { results, ok: results.length - failed.length, failed };
    },
  };
}
