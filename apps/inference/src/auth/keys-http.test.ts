import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashApiKey } from '@modelship/contract';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeDeps, validRecord } from '../testing/fake-deps.ts';
import { serveTwins, type Twins } from '../testing/lane-twins.ts';

// API keys through real HTTP, by Hono alone and with the fast lane in front (the same deps):
// every answer, log line and count must match, and the lane must have taken what it serves.

const alpha = 'ms_alpha-key-0123456789abcdefghijklmnopqrstuvwx';
const slowHono = 'ms_slow-hono-0123456789abcdefghijklmnopqrstuv';
const slowLane = 'ms_slow-lane-0123456789abcdefghijklmnopqrstuv';
const secrets = [alpha, slowHono, slowLane];

function keyFile(lines: readonly string[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'modelship-keys-')), 'keys');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

const file = keyFile([
  '# test clients',
  `alpha ${hashApiKey(alpha)}`,
  `slow-hono ${hashApiKey(slowHono)} rate=0.001 burst=2`,
  `slow-lane ${hashApiKey(slowLane)} rate=0.001 burst=2`,
]);

const json =
  (body: unknown, headers: Record<string, string> = {}) =>
  () => ({
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

const oip = {
  inputs: Object.entries(validRecord).map(([name, value]) => ({
    name,
    shape: [1, 1],
    datatype: typeof value === 'string' ? 'BYTES' : Number.isInteger(value) ? 'INT64' : 'FP64',
    data: [value],
  })),
};

/** The per-client counter's value for a client and status (0 if absent). */
async function clientCount(
  twins: { deps: ReturnType<typeof fakeDeps>['deps'] },
  client: string,
  status: number,
) {
  const metric = (await twins.deps.metrics.registry.getMetricsAsJSON()).find(
    (m) => m.name === 'modelship_client_requests_total',
  );
  const values = (metric?.values ?? []) as { labels: Record<string, string>; value: number }[];
  return (
    values.find((v) => v.labels.client === client && v.labels.status === String(status))?.value ?? 0
  );
}

describe('API keys on the prediction routes', () => {
  const { deps, lines } = fakeDeps({
    env: { API_KEYS_FILE: file, PAYLOAD_LOG_SAMPLE: '1' },
    random: () => 0,
  });
  let twins: Twins;
  beforeAll(async () => {
    twins = await serveTwins(deps, lines);
  });
  afterAll(async () => {
    await twins.close();
    // The key is in no log line, whatever the request did.
    const logged = JSON.stringify(lines);
    for (const secret of secrets) {
      expect(logged).not.toContain(secret);
      expect(logged).not.toContain(hashApiKey(secret));
    }
  });

  const routes = [
    ['/predict', validRecord],
    ['/predict_api', validRecord],
    ['/v2/models/insurance-charges/infer', oip],
  ] as const;

  const refused: [string, Record<string, string>, RegExp][] = [
    ['no key', {}, /An API key is required/],
    ['a wrong Bearer key', { Authorization: 'Bearer ms_wrong' }, /not valid/],
    ['a wrong X-API-Key', { 'X-API-Key': 'ms_wrong' }, /not valid/],
    ['Bearer without a token', { Authorization: 'Bearer' }, /not "Bearer KEY"/],
    ['Bearer with two tokens', { Authorization: `Bearer ${alpha} x` }, /not "Bearer KEY"/],
    ['another scheme alone', { Authorization: `Basic ${btoa('a:b')}` }, /not "Bearer KEY"/],
    ['an empty X-API-Key', { 'X-API-Key': '' }, /empty or holds more/],
    ['the hash instead of the key', { 'X-API-Key': hashApiKey(alpha) }, /not valid/],
  ];

  for (const [path, body] of routes) {
    it.each(refused)(
      `${path}: %s is 401 with WWW-Authenticate, the same on both paths`,
      async (_n, headers, message) => {
        const { hono, lane } = await twins.both(path, json(body, headers));
        expect(lane.taken).toBe(true);
        expect(hono.status).toBe(401);
        expect(hono.headers['www-authenticate']).toBe('Bearer realm="modelship"');
        const error = JSON.parse(hono.body).error;
        expect(error).toMatchObject({ code: 'unauthorized', details: [] });
        expect(error.message).toMatch(message);
        expect(hono.lines.map((l) => l.client)).toEqual([undefined]);
        expect({ ...lane, taken: false }).toEqual(hono);
      },
    );

    it.each([
      ['Bearer', { Authorization: `Bearer ${alpha}` }],
      ['bearer in lower case', { Authorization: `bearer ${alpha}` }],
      ['X-API-Key', { 'X-API-Key': alpha }],
      ["X-API-Key beside a proxy's Basic", { 'X-API-Key': alpha, Authorization: 'Basic eA==' }],
    ])(
      `${path}: a valid key by %s answers 200, naming the client in the logs`,
      async (_n, headers) => {
        const before = await clientCount({ deps }, 'alpha', 200);
        const { hono, lane } = await twins.both(path, json(body, headers));
        expect(lane.taken).toBe(true);
        expect(hono.status).toBe(200);
        const [payload, request] = hono.lines;
        expect(payload).toMatchObject({ kind: 'modelship.payload', client: 'alpha' });
        expect(request).toMatchObject({ path, status: 200, client: 'alpha' });
        expect({ ...lane, taken: false }).toEqual(hono);
        expect(await clientCount({ deps }, 'alpha', 200)).toBe(before + 2);
      },
    );
  }

  it("answers 429 with Retry-After past a client's burst, counted for that client", async () => {
    for (const [server, key, client] of [
      [twins.hono, slowHono, 'slow-hono'],
      [twins.laned, slowLane, 'slow-lane'],
    ] as const) {
      const send = () =>
        twins.exchange(server, '/predict', json(validRecord, { 'X-API-Key': key })());
      expect([(await send()).status, (await send()).status]).toEqual([200, 200]);
      const limited = await send();
      expect(limited.taken).toBe(server === twins.laned);
      expect(limited.status).toBe(429);
      // 1 request per 1000 s: the next token is ~1000 s away.
      expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(999);
      expect(limited.headers['retry-after']).toMatch(/^\d+$/);
      expect(JSON.parse(limited.body).error).toMatchObject({ code: 'rate_limited' });
      expect(limited.lines).toMatchObject([{ status: 429, client }]);
      expect(await clientCount({ deps }, client, 429)).toBe(1);
      expect(await clientCount({ deps }, client, 200)).toBe(2);
    }
    // Another client is not limited by them.
    const other = await twins.exchange(
      twins.laned,
      '/predict',
      json(validRecord, { 'X-API-Key': alpha })(),
    );
    expect(other.status).toBe(200);
  });

  it('lists the per-client counter in /metrics by name only', async () => {
    const text = await deps.metrics.registry.metrics();
    expect(text).toMatch(/modelship_client_requests_total\{client="alpha",status="200"\} \d+/);
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/client="(?!alpha"|slow-hono"|slow-lane")/);
  });
});

const get = (headers: Record<string, string>) => ({ method: 'GET', headers });

describe('API keys on the other routes', () => {
  const form =
    (headers: Record<string, string> = {}) =>
    () => ({
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(
        Object.fromEntries(Object.entries(validRecord).map(([k, v]) => [k, String(v)])),
      ).toString(),
    });

  async function statuses(env: Record<string, string>, headers: Record<string, string>) {
    const { deps, lines } = fakeDeps({ env: { API_KEYS_FILE: file, ...env } });
    const twins = await serveTwins(deps, lines);
    try {
      const out: Record<string, number> = {};
      for (const path of [
        '/healthz',
        '/readyz',
        '/v2/health/live',
        '/v2/health/ready',
        '/',
        '/openapi.json',
        '/docs',
        '/v2',
        '/v2/models/insurance-charges',
        '/v2/models/insurance-charges/ready',
      ]) {
        out[`GET ${path}`] = (await twins.exchange(twins.laned, path, get(headers))).status;
      }
      out['POST / (the form)'] = (await twins.exchange(twins.laned, '/', form(headers)())).status;
      out['POST /predict'] = (
        await twins.exchange(twins.laned, '/predict', json(validRecord, headers)())
      ).status;
      return out;
    } finally {
      await twins.close();
    }
  }

  const probes = {
    'GET /healthz': 200,
    'GET /readyz': 200,
    'GET /v2/health/live': 200,
    'GET /v2/health/ready': 200,
  };

  it('keys the form, the docs and the model metadata too by default; never the probes', async () => {
    expect(await statuses({}, {})).toEqual({
      ...probes,
      'GET /': 401,
      'GET /openapi.json': 401,
      'GET /docs': 401,
      'GET /v2': 401,
      'GET /v2/models/insurance-charges': 401,
      'GET /v2/models/insurance-charges/ready': 401,
      'POST / (the form)': 401,
      'POST /predict': 401,
    });
    const all200 = await statuses({}, { 'X-API-Key': alpha });
    expect(Object.values(all200).every((status) => status === 200)).toBe(true);
  });

  it('opens the form and the docs by API_KEYS_OPEN, never the prediction routes', async () => {
    expect(await statuses({ API_KEYS_OPEN: 'form,docs' }, {})).toEqual({
      ...probes,
      'GET /': 200,
      'GET /openapi.json': 200,
      'GET /docs': 200,
      'GET /v2': 200,
      'GET /v2/models/insurance-charges': 200,
      'GET /v2/models/insurance-charges/ready': 200,
      'POST / (the form)': 200,
      'POST /predict': 401,
    });
    expect(await statuses({ API_KEYS_OPEN: 'docs' }, {})).toMatchObject({
      'GET /': 401,
      'POST / (the form)': 401,
      'GET /openapi.json': 200,
    });
  });
});

describe('the OpenAPI document with API keys', () => {
  it('declares the key on exactly the operations that answer 401 without one', async () => {
    for (const open of ['', 'form,docs']) {
      const { deps, lines } = fakeDeps({ env: { API_KEYS_FILE: file, API_KEYS_OPEN: open } });
      const twins = await serveTwins(deps, lines);
      try {
        const documented = await twins.exchange(
          twins.laned,
          '/openapi.json',
          get({ 'X-API-Key': alpha }),
        );
        const doc = JSON.parse(documented.body);
        const validation = await new Validator().validate(structuredClone(doc));
        expect(validation.errors ?? []).toEqual([]);
        expect(doc.components.securitySchemes.apiKey).toMatchObject({ name: 'x-api-key' });
        const declared: Record<string, boolean> = {};
        const answered: Record<string, boolean> = {};
        for (const [template, item] of Object.entries<
          Record<string, { security?: unknown; responses: Record<string, unknown> }>
        >(doc.paths)) {
          const path = template
            .replace('{name}', 'insurance-charges')
            .replace('{version}', '1.0.0');
          for (const [method, operation] of Object.entries(item)) {
            if (method !== 'get' && method !== 'post') continue;
            const name = `${method.toUpperCase()} ${template}`;
            declared[name] = operation.security !== undefined && '401' in operation.responses;
            const init = method === 'post' ? json({})() : get({});
            answered[name] = (await twins.exchange(twins.laned, path, init)).status === 401;
          }
        }
        expect(declared).toEqual(answered);
        expect(declared['POST /predict']).toBe(true);
        expect(declared['GET /openapi.json']).toBe(open === '');
        expect(declared['GET /healthz']).toBe(false);
      } finally {
        await twins.close();
      }
    }
  });
});
