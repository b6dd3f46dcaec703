// Talks to a running inference service over HTTP on loopback: readiness and predictions.
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** A free TCP port on 127.0.0.1 (the kernel's choice), for a server started right after. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/** Options of {@link waitUntilReady}. */
export interface WaitOptions {
  /** Give up after this many milliseconds. @default 60000 */
  readonly timeoutMs?: number;
  /** Called between attempts; throw from it to stop waiting (e.g. the process died). */
  readonly check?: () => void | Promise<void>;
}

/** Polls `GET {baseUrl}/readyz` until it answers 200; rejects with the last answer seen. */
export async function waitUntilReady(baseUrl: string, options: WaitOptions = {}): Promise<void> {
  const { timeoutMs = 60_000, check } = options;
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    await check?.();
    try {
      const res = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(2_000) });
      last = `${res.status} ${await res.text()}`;
      if (res.status === 200) return;
    } catch (error) {
      last = String((error as Error).cause ?? error);
    }
    await sleep(250);
  }
  throw new Error(`${baseUrl}/readyz was not ready within ${timeoutMs} ms (last: ${last})`);
}

/** Records spanning the insurance schema's levels; each is one `/predict` body. */
export const sampleRecords = [
  { age: 40, sex: 'female', bmi: 28.5, children: 1, smoker: 'no', region: 'southeast' },
  { age: 19, sex: 'male', bmi: 22.1, children: 0, smoker: 'yes', region: 'northwest' },
  { age: 63, sex: 'female', bmi: 35.2, children: 3, smoker: 'yes', region: 'southwest' },
  { age: 52, sex: 'male', bmi: 31.0, children: 2, smoker: 'no', region: 'northeast' },
] as const;

/** POSTs each record to `{baseUrl}/predict` and returns the predictions; throws unless 200. */
export async function predictEach(
  baseUrl: string,
  records: readonly object[] = sampleRecords,
): Promise<number[]> {
  const predictions: number[] = [];
  for (const record of records) {
    const res = await fetch(`${baseUrl}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(record),
    });
    const body = await res.text();
    if (res.status !== 200) throw new Error(`POST /predict answered ${res.status}: ${body}`);
    const prediction = (JSON.parse(body) as { prediction?: unknown }).prediction;
    if (typeof prediction !== 'number')
      throw new Error(`POST /predict: no numeric prediction in ${body}`);
    predictions.push(prediction);
  }
  return predictions;
}
