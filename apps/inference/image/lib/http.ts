// Talks to a running inference service over HTTP on loopback: readiness and predictions.
import { OPERATIONAL_ROUTES } from '@modelship/contract';
import { waitForHttp } from '@modelship/testkit';

export { freePort } from '@modelship/testkit';

/** Options of {@link waitUntilReady}. */
export interface WaitOptions {
  /** Give up after this many milliseconds. @default 60000 */
  readonly timeoutMs?: number;
  /** Called between attempts; throw from it to stop waiting (e.g. the process died). */
  readonly check?: () => void | Promise<void>;
}

/** Polls `GET {baseUrl}/readyz` every 250 ms until it answers 200. */
export async function waitUntilReady(baseUrl: string, options: WaitOptions = {}): Promise<void> {
  await waitForHttp({
    url: `${baseUrl}${OPERATIONAL_ROUTES.ready}`,
    intervalMs: 250,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.check === undefined ? {} : { check: options.check }),
  });
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
