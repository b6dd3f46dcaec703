/**
 * An open-loop (constant-rate) HTTP load generator, as wrk2 and vegeta are: request k is due at
 * `start + k / rate` whatever the answers so far, and its latency is measured from that due
 * time, so a stall delays and counts every request scheduled during it (no coordinated
 * omission). A worker thread keeps the schedule (it sleeps with `Atomics.wait`, which takes
 * fractions of a millisecond, where timers round to whole ones) and wakes the main thread,
 * which writes each request on an idle keep-alive connection, or queues it until one is free.
 */
import { connect, type Socket } from 'node:net';
import { Worker } from 'node:worker_threads';
import { type ParsedResponse, responseParser } from './response-parser.ts';

/** Options of {@link runOpenLoop}. */
export interface OpenLoopOptions {
  /** `http://host:port/path` (plain HTTP/1.1). */
  readonly url: string;
  /** The JSON body POSTed by every request. */
  readonly body: string;
  readonly ratePerSec: number;
  /** Seconds measured, after the warm-up. */
  readonly durationS: number;
  /** Seconds at the same rate before the measured ones, not recorded. @default 0 */
  readonly warmupS?: number;
  /** Keep-alive connections opened before the first request. @default 64 */
  readonly connections?: number;
  /** How long to wait for the last answers after the last request is due. @default 10 */
  readonly timeoutS?: number;
}

/** Percentiles of a set of durations, in milliseconds. */
export interface Percentiles {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

/** What one open-loop run measured (the warm-up's requests left out). */
export interface OpenLoopResult {
  readonly ratePerSec: number;
  readonly durationS: number;
  readonly warmupS: number;
  /** Requests scheduled in the measured seconds (rate × duration). */
  readonly scheduled: number;
  /** Of those, answered with a 2xx. */
  readonly ok: number;
  /** Answered with another status, failed on the socket, or unanswered at the end. */
  readonly errors: { readonly status: number; readonly socket: number; readonly timeout: number };
  /** Due time → whole answer read, over the answered requests (any status). */
  readonly latencyMs: Percentiles;
  /** Due time → when the main thread took the request: the generator's own lateness. */
  readonly sendLagMs: Percentiles;
}

/** Nearest-rank percentiles of `values` (sorted in place); zeros for an empty set. */
export function percentiles(values: Float64Array): Percentiles {
  if (values.length === 0) return { p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
  values.sort();
  const at = (q: number) =>
    values[Math.min(values.length - 1, Math.max(0, Math.ceil(q * values.length) - 1))] as number;
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), p999: at(0.999), max: at(1) };
}

/** The schedule's clock: absolute milliseconds, comparable between threads. */
const now = () => performance.timeOrigin + performance.now();

// The ticker thread (plain JavaScript, so that it runs under any loader): posts each index k
// once `start + k * intervalMs` has come, or stops when `stop[0]` becomes 1.
const tickerSource = `
const { workerData, parentPort } = require('node:worker_threads');
const { start, intervalMs, count, stop } = workerData;
const flag = new Int32Array(stop);
const now = () => performance.timeOrigin + performance.now();
for (let k = 0; k < count; k++) {
  const wait = start + k * intervalMs - now();
  if (wait > 0.01) Atomics.wait(flag, 0, 0, wait);
  if (Atomics.load(flag, 0) === 1) break;
  parentPort.postMessage(k);
}
`;

interface Connection {
  socket: Socket;
  parser: ReturnType<typeof responseParser>;
  /** The request in flight on it (index), if any. */
  inFlight: number | undefined;
  ready: boolean;
}

/** Runs one open-loop measurement against `options.url` (see the module's comment). */
export async function runOpenLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const { ratePerSec, durationS, warmupS = 0, connections = 64, timeoutS = 10 } = options;
  if (!(ratePerSec > 0) || !(durationS > 0)) throw new Error('rate and duration must be > 0');
  const url = new URL(options.url);
  if (url.protocol !== 'http:') throw new Error(`only http:// is supported: ${options.url}`);
  const port = Number(url.port || 80);
  const host = url.hostname;
  const body = Buffer.from(options.body);
  const request = Buffer.concat([
    Buffer.from(
      `POST ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
    ),
    body,
  ]);
  const intervalMs = 1000 / ratePerSec;
  const warmupCount = Math.round(warmupS * ratePerSec);
  const count = warmupCount + Math.round(durationS * ratePerSec);

  const due = (k: number) => start + k * intervalMs;
  const latency = new Float64Array(count).fill(Number.NaN);
  const lag = new Float64Array(count).fill(Number.NaN);
  const status = new Int16Array(count);
  const failed = new Uint8Array(count);
  const waiting: number[] = [];
  const idle: Connection[] = [];
  const live = new Set<Connection>();
  let settled = 0;
  let start = 0;
  let onAllSettled: () => void = () => {};

  const settle = () => {
    settled += 1;
    if (settled === count) onAllSettled();
  };
  const send = (c: Connection, k: number) => {
    c.inFlight = k;
    c.socket.write(request);
  };
  const dispatch = (k: number) => {
    const c = idle.pop();
    if (c === undefined) waiting.push(k);
    else send(c, k);
  };
  const free = (c: Connection) => {
    const next = waiting.shift();
    if (next === undefined) idle.push(c);
    else send(c, next);
  };

  const open = (): Promise<Connection> =>
    new Promise((resolve, reject) => {
      const socket = connect({ host, port, noDelay: true });
      const c: Connection = { socket, parser: responseParser(), inFlight: undefined, ready: false };
      live.add(c);
      socket.once('connect', () => {
        c.ready = true;
        resolve(c);
      });
      socket.on('data', (bytes: Buffer) => {
        let answers: ParsedResponse[];
        try {
          answers = c.parser.push(bytes);
        } catch (error) {
          socket.destroy(error as Error);
          return;
        }
        for (const answer of answers) {
          const k = c.inFlight;
          if (k === undefined) continue;
          latency[k] = now() - due(k);
          status[k] = answer.status;
          c.inFlight = undefined;
          settle();
          if (answer.close) socket.destroy();
          else free(c);
        }
      });
      socket.on('error', () => {});
      socket.once('close', () => {
        live.delete(c);
        if (!c.ready) {
          reject(new Error(`cannot connect to ${url.host}`));
          return;
        }
        const k = c.inFlight;
        c.inFlight = undefined;
        if (k !== undefined) {
          failed[k] = 1;
          settle();
        }
        const at = idle.indexOf(c);
        if (at >= 0) idle.splice(at, 1);
        if (settled < count) open().then(free, () => {});
      });
    });

  const all = await Promise.all(Array.from({ length: connections }, open));
  idle.push(...all);
  start = now() + 20;
  const stop = new SharedArrayBuffer(4);
  const ticker = new Worker(tickerSource, {
    eval: true,
    workerData: { start, intervalMs, count, stop },
  });
  ticker.on('message', (k: number) => {
    lag[k] = now() - due(k);
    dispatch(k);
  });
  const finished = new Promise<void>((resolve) => {
    onAllSettled = resolve;
  });
  const lastDue = due(count - 1);
  let deadline: NodeJS.Timeout | undefined;
  await Promise.race([
    finished,
    new Promise<void>((resolve) => {
      // The deadline counts from the last due time, whenever the ticker gets there.
      const wait = () => {
        deadline = setTimeout(resolve, Math.max(0, lastDue - now()) + timeoutS * 1000);
      };
      deadline = setTimeout(wait, Math.max(0, lastDue - now()));
    }),
  ]);
  clearTimeout(deadline);
  Atomics.store(new Int32Array(stop), 0, 1);
  Atomics.notify(new Int32Array(stop), 0);
  await ticker.terminate();
  settled = count; // No reconnection from here on.
  for (const c of [...live]) c.socket.destroy();

  const measured = count - warmupCount;
  const answered: number[] = [];
  const lags: number[] = [];
  let ok = 0;
  let statusErrors = 0;
  let socketErrors = 0;
  let timeouts = 0;
  for (let k = warmupCount; k < count; k++) {
    if (!Number.isNaN(lag[k] as number)) lags.push(lag[k] as number);
    if (failed[k] === 1) socketErrors += 1;
    else if (Number.isNaN(latency[k] as number)) timeouts += 1;
    else {
      answered.push(latency[k] as number);
      const code = status[k] as number;
      if (code >= 200 && code < 300) ok += 1;
      else statusErrors += 1;
    }
  }
  return {
    ratePerSec,
    durationS,
    warmupS,
    scheduled: measured,
    ok,
    errors: { status: statusErrors, socket: socketErrors, timeout: timeouts },
    latencyMs: percentiles(Float64Array.from(answered)),
    sendLagMs: percentiles(Float64Array.from(lags)),
  };
}
