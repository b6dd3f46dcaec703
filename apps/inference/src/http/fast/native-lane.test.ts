import type { FeatureRecord } from '@modelship/feature-schema';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../app.ts';
import type { AppEnv } from '../../deps.ts';
import { type Listening, listen } from '../../lifecycle/listen.ts';
import {
  distinctRecord,
  fakeDeps,
  fakeInsurancePrediction,
  validRecord,
} from '../../testing/fake-deps.ts';
import { serveTwins, type Twins, withoutTimings } from '../../testing/lane-twins.ts';
import { createRequestScopes, respondJson } from '../envelope.ts';
import { errorMapper } from '../error-handler.ts';
import { nativeLane } from './native-lane.ts';

// The same app served twice from the same dependencies: by Hono alone, and with the prediction
// lane in front. Every request goes to both; the answers (status, headers, body), the log
// lines and the HTTP metrics must be the same, and the lane must have taken exactly the
// requests it is meant to take (else the comparison would prove nothing).

/** A record the fake model fails on (a valid age), to exercise the 500 path. */
const failingAge = 99;

/** An object of `n` keys (`"0"`, `"1"`, ... in base 36). */
const manyKeys = (n: number) =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [i.toString(36), 0]));

describe('the native lane answers exactly as Hono does', () => {
  const { deps, lines } = fakeDeps({
    env: { BODY_LIMIT: '2048', MAX_BATCH: '3' },
    run: async (records: readonly FeatureRecord[]) => {
      if (records.some((r) => r.age === failingAge)) throw new Error('the model failed');
      return records.map(fakeInsurancePrediction);
    },
  });
  let twins: Twins;
  beforeAll(async () => {
    twins = await serveTwins(deps, lines);
  });
  afterAll(() => twins.close());
  const both = (path: string, init: () => RequestInit) => twins.both(path, init);

  const json =
    (body: unknown, headers: Record<string, string> = {}) =>
    () => ({
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  const taking: [string, () => RequestInit, number][] = [
    ['one record', json(validRecord, { 'X-Request-Id': 'abc-123' }), 200],
    ['a batch', json({ instances: [distinctRecord(1), distinctRecord(2)] }), 200],
    ['a record without a request id (a UUID is made)', json(validRecord), 200],
    [
      'a traced record',
      json(validRecord, {
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
        'User-Agent': 'lane-test/1',
      }),
      200,
    ],
    ['a record with an unusable request id', json(validRecord, { 'X-Request-Id': 'a b' }), 200],
    ['an invalid record', json({ ...validRecord, age: 5, smoker: 'maybe' }), 422],
    ['an unknown field', json({ ...validRecord, height: 180 }), 422],
    ['too many instances', json({ instances: [1, 2, 3, 4].map(distinctRecord) }), 422],
    ['a batch with other keys', json({ instances: [validRecord], extra: 1 }), 422],
    ['malformed JSON', json('{"age": 40,'), 400],
    ['a JSON array', json([validRecord]), 422],
    [
      'a JSON media type with a charset',
      json(validRecord, { 'Content-Type': 'application/json; charset=utf-8' }),
      200,
    ],
    ['a record the model fails on', json({ ...validRecord, age: failingAge }), 500],
    ['an object of 200 keys', json({ ...validRecord, ...manyKeys(200) }), 413],
    [
      'a batch record of 200 keys',
      json({ instances: [{ ...validRecord, ...manyKeys(200) }] }),
      413,
    ],
  ];

  const takingApi: [string, () => RequestInit, number][] = [
    ['/predict_api: one record', json(validRecord, { 'X-Request-Id': 'api-1' }), 200],
    ['/predict_api: an invalid record', json({ ...validRecord, bmi: 'fat' }), 422],
    ['/predict_api: a batch (not accepted there)', json({ instances: [validRecord] }), 422],
    ['/predict_api: malformed JSON', json('{'), 400],
  ];

  /** An Open Inference Protocol request of `rows` records, as the protocol's examples lay it out. */
  const oip = (rows: readonly FeatureRecord[], extra: Record<string, unknown> = {}) => ({
    inputs: Object.keys(validRecord).map((name) => {
      const data = rows.map((row) => row[name]);
      const datatype =
        typeof data[0] === 'string' ? 'BYTES' : Number.isInteger(data[0]) ? 'INT64' : 'FP64';
      return { name, shape: [rows.length, 1], datatype, data };
    }),
    ...extra,
  });

  const takingOip: [string, () => RequestInit, number][] = [
    ['OIP infer: two rows', json(oip([distinctRecord(1), distinctRecord(2)])), 200],
    [
      'OIP infer: with an id and the output named',
      json(oip([validRecord], { id: 'req-7', outputs: [{ name: 'charges' }] }), {
        'X-Request-Id': 'oip-1',
      }),
      200,
    ],
    ['OIP infer: an unknown output', json(oip([validRecord], { outputs: [{ name: 'x' }] })), 400],
    ['OIP infer: no inputs', json({ inputs: [] }), 400],
    ['OIP infer: an invalid value', json(oip([{ ...validRecord, age: 5 }])), 400],
    ['OIP infer: malformed JSON', json('{"inputs": ['), 400],
    ['OIP infer: a row the model fails on', json(oip([{ ...validRecord, age: failingAge }])), 500],
    [
      'OIP infer: parameters of 200 keys',
      json(oip([validRecord], { parameters: manyKeys(200) })),
      413,
    ],
  ];

  it.each([
    ...taking.map(([name, init, status]) => [name, '/predict', init, status] as const),
    ...takingApi.map(([name, init, status]) => [name, '/predict_api', init, status] as const),
    ...takingOip.map(
      ([name, init, status]) => [name, '/v2/models/insurance-charges/infer', init, status] as const,
    ),
  ])('%s: taken by the lane, answered the same', async (_name, path, init, status) => {
    const { hono: viaHono, lane: viaLane } = await both(path, init);
    expect(viaHono.taken).toBe(false);
    expect(viaLane.taken).toBe(true);
    expect(viaHono.status).toBe(status);
    expect(viaHono.lines.length).toBeGreaterThan(0);
    expect(Object.keys(viaHono.counted)).toHaveLength(1);
    expect({ ...viaLane, taken: false }).toEqual(viaHono);
  });

  const leaving: [string, string, () => RequestInit, number][] = [
    ['another media type', '/predict', json(validRecord, { 'Content-Type': 'text/plain' }), 415],
    [
      'no media type',
      '/predict',
      () => ({ method: 'POST', body: JSON.stringify(validRecord) }),
      415,
    ],
    ['a body over the limit', '/predict', json({ pad: 'x'.repeat(4096) }), 413],
    [
      'a chunked body',
      '/predict',
      () =>
        ({
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: new Blob([JSON.stringify(validRecord)]).stream(),
          duplex: 'half',
        }) as RequestInit,
      200,
    ],
    ['a query string', '/predict?explain=1', json(validRecord), 200],
    ['another route', '/v2/models/insurance-charges', () => ({ method: 'POST' }), 405],
    [
      'OIP infer at a versioned path',
      '/v2/models/insurance-charges/versions/1.0.0/infer',
      json(oip([validRecord])),
      200,
    ],
    ['OIP infer of another model', '/v2/models/other/infer', json(oip([validRecord])), 404],
    ['another method', '/predict', () => ({ method: 'GET' }), 405],
  ];

  it.each(leaving)('%s: left to Hono, answered the same', async (_name, path, init, status) => {
    const { hono: viaHono, lane: viaLane } = await both(path, init);
    expect(viaLane.taken).toBe(false);
    expect(viaHono.status).toBe(status);
    expect(viaLane).toEqual(viaHono);
  });

  // The lifecycle only moves forward: these two run last, in this order.
  it('while stopping, both answer and close the connection', async () => {
    deps.readiness.markStopping();
    const { hono: viaHono, lane: viaLane } = await both('/predict', json(validRecord));
    expect(viaLane.taken).toBe(true);
    expect(viaHono.status).toBe(200);
    expect(viaHono.headers.connection).toBe('close');
    expect({ ...viaLane, taken: false }).toEqual(viaHono);
  });

  it('once stopped, the lane leaves requests to Hono (503)', async () => {
    deps.readiness.markStopped();
    const { hono: viaHono, lane: viaLane } = await both('/predict', json(validRecord));
    expect(viaLane.taken).toBe(false);
    expect(viaHono.status).toBe(503);
    expect(viaLane).toEqual(viaHono);
  });
});

/** One /predict answer served by Hono alone and by the lane in front of the same app. */
type PredictAnswer = () => Promise<{ body: unknown; headers: Record<string, string> }>;

async function servePredictBothWays(
  deps: ReturnType<typeof fakeDeps>['deps'],
  answer: PredictAnswer,
): Promise<[Listening, Listening]> {
  const route = () =>
    new Hono<AppEnv>().post('/predict', async (c) => {
      const { body, headers } = await answer();
      return respondJson(c, body, 200, headers);
    });
  const app = createApp(deps, { routes: [route] });
  const lane = nativeLane({
    scopes: createRequestScopes(deps),
    mapError: errorMapper(deps.logger),
    readiness: deps.readiness,
    maxBytes: deps.config.BODY_LIMIT,
    routes: [{ path: '/predict', answer }],
  });
  return [
    await listen(app, { port: 0, host: '127.0.0.1' }),
    await listen(app, { port: 0, host: '127.0.0.1', lane }),
  ];
}

async function closeAll(servers: readonly Listening[]): Promise<void> {
  for (const server of servers) {
    server.server.closeAllConnections();
    await new Promise<void>((resolve) => server.server.close(() => resolve()));
  }
}

describe('an answer that cannot be written as JSON', () => {
  // A route whose answer holds a BigInt, served by Hono and by a lane with the same answer.
  const answer = async () => ({ body: { value: 1n }, headers: {} });
  const { deps, lines } = fakeDeps();
  let hono: Listening;
  let laned: Listening;
  beforeAll(async () => {
    [hono, laned] = await servePredictBothWays(deps, answer);
  });
  afterAll(() => closeAll([hono, laned]));

  it('is a logged 500 with the JSON error body on both paths', async () => {
    const results = [];
    for (const server of [hono, laned]) {
      const before = lines.length;
      const response = await fetch(`http://127.0.0.1:${server.port}/predict`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Request-Id': 'big-1' },
        body: JSON.stringify(validRecord),
      });
      results.push({
        status: response.status,
        body: await response.json(),
        lines: lines.slice(before).map(withoutTimings),
      });
    }
    const [viaHono, viaLane] = results;
    expect(viaHono?.status).toBe(500);
    expect(viaHono?.body).toMatchObject({ error: { code: 'internal' } });
    expect(viaHono?.lines.map((line) => line.severity)).toEqual(['ERROR', 'INFO']);
    expect(viaLane).toEqual(viaHono);
  });
});

describe("a route's own header named like one of the envelope's", () => {
  // The lane writes its headers from a list: an own header must replace the envelope's, as
  // jsonHeaders' object does on Hono's path, never be sent twice.
  const answer = async () => ({
    body: { ok: true },
    headers: { 'X-Content-Type-Options': 'own', 'X-Own': 'yes' },
  });
  const { deps } = fakeDeps();
  let hono: Listening;
  let laned: Listening;
  beforeAll(async () => {
    [hono, laned] = await servePredictBothWays(deps, answer);
  });
  afterAll(() => closeAll([hono, laned]));

  it('replaces it on both paths', async () => {
    for (const server of [hono, laned]) {
      const response = await fetch(`http://127.0.0.1:${server.port}/predict`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Request-Id': 'own-1' },
        body: JSON.stringify(validRecord),
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-content-type-options')).toBe('own');
      expect(response.headers.get('x-own')).toBe('yes');
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(response.headers.get('x-request-id')).toBe('own-1');
    }
  });
});
