import { setTimeout as sleep } from 'node:timers/promises';
import type { Managed } from './process.ts';

/** Options for {@link waitForHttp}. */
export interface WaitOptions {
  readonly url: string;
  readonly method?: string;
  readonly body?: string;
  /** @default 60_000 */
  readonly timeoutMs?: number;
  /** Fails fast when this process exits. */
  readonly process?: Managed;
  /** Called between attempts; throw from it to stop waiting (e.g. a container died). */
  readonly check?: () => void | Promise<void>;
  /** @default 5 */
  readonly intervalMs?: number;
}

/**
 * Polls a URL every `intervalMs` until it answers 200; returns `performance.now()` at that
 * moment. The default interval is short so that a measured time to ready is not rounded up.
 */
export async function waitForHttp(options: WaitOptions): Promise<number> {
  const deadline = performance.now() + (options.timeoutMs ?? 60_000);
  let last = 'no answer';
  while (performance.now() < deadline) {
    await options.check?.();
    try {
      const res = await fetch(options.url, {
        method: options.method ?? 'GET',
        body: options.body,
        headers: options.body ? { 'content-type': 'application/json' } : undefined,
        signal: AbortSignal.timeout(2000),
      });
      await res.arrayBuffer();
      if (res.status === 200) return performance.now();
      last = `HTTP ${res.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    if (options.process) {
      await Promise.race([sleep(options.intervalMs ?? 5), options.process.exited]);
    } else {
      await sleep(options.intervalMs ?? 5);
    }
  }
  throw new Error(`${options.url} not ready after ${options.timeoutMs ?? 60_000} ms (${last})`);
}
