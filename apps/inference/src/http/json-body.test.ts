import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.ts';
import type { Listening } from '../lifecycle/listen.ts';
import { fakeDeps, fakeInsurancePrediction, validRecord } from '../testing/fake-deps.ts';
import { closeServer, rawExchange, serveApp } from '../testing/raw-http.ts';

/** The status codes of every response in a raw HTTP/1.1 exchange, in order. */
const statuses = (raw: string) => [...raw.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));

const post = (body: string, contentLength: number) =>
  `POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
  `Content-Length: ${contentLength}\r\n\r\n${body}`;

// Through Hono alone, and with the prediction lane in front (which takes the framed JSON bodies).
describe.each([
  ['Hono', false],
  ['the native lane', true],
])('jsonBody over real HTTP (Content-Length framing by Node), %s', (_path, withLane) => {
  let server: Listening;
  const limit = 512;
  beforeAll(async () => {
    const { deps } = fakeDeps({ env: { BODY_LIMIT: String(limit) } });
    server = await serveApp(deps, withLane);
  });
  afterAll(() => closeServer(server));

  it('predicts a body whose Content-Length is exact', async () => {
    const body = JSON.stringify(validRecord);
    const raw = await rawExchange(server.port, post(body, Buffer.byteLength(body)));
    expect(statuses(raw)).toEqual([200]);
    expect(raw).toContain(`"prediction":${fakeInsurancePrediction(validRecord)}`);
  });

  it('refuses a declared length over the limit with 413, before reading the body', async () => {
    const raw = await rawExchange(server.port, post('{}', limit + 1));
    expect(statuses(raw)[0]).toBe(413);
    expect(raw).toContain('payload_too_large');
  });

  it('a Content-Length shorter than the body reads only that many bytes: no bypass', async () => {
    // Declares 2 bytes, then sends a large body: Node parses the rest as the next request
    // (garbage, so 400 and the connection closes), never as part of this body. Depending on
    // timing the first answer (422 for `{}`) is written before Node's 400 or dropped with it.
    const smuggled = `{"pad":"${'x'.repeat(limit * 4)}"}`;
    const raw = await rawExchange(server.port, post(`{}${smuggled}`, 2));
    const codes = statuses(raw);
    expect(codes.length).toBeGreaterThan(0);
    expect(codes.every((code) => code === 422 || code === 400)).toBe(true);
    expect(raw).not.toContain('"prediction"');
  });

  it('a Content-Length longer than the body never answers 200 and does not hang', async () => {
    const body = JSON.stringify(validRecord);
    // The client sends fewer bytes than declared, then closes its side: the request is
    // incomplete, so the server answers 400 or just closes; `exchange` resolving proves the
    // connection was not left hanging.
    const raw = await rawExchange(server.port, post(body, Buffer.byteLength(body) + 100));
    expect(statuses(raw).filter((code) => code < 400)).toEqual([]);
    // The server is still healthy afterwards.
    const after = await rawExchange(server.port, post(body, Buffer.byteLength(body)));
    expect(statuses(after)).toEqual([200]);
  });

  it('a chunked body over the limit is refused with 413 while streaming', async () => {
    const chunk = 'x'.repeat(200);
    const chunks = [`{"pad":"`, chunk, chunk, chunk, `"}`]
      .map((c) => `${c.length.toString(16)}\r\n${c}\r\n`)
      .join('');
    const raw = await rawExchange(
      server.port,
      `POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
        `Transfer-Encoding: chunked\r\n\r\n${chunks}0\r\n\r\n`,
    );
    expect(statuses(raw)[0]).toBe(413);
  });

  it('Content-Length together with Transfer-Encoding is refused by Node (no desync)', async () => {
    const raw = await rawExchange(
      server.port,
      `POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
        `Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n`,
    );
    expect(statuses(raw)).toEqual([400]);
  });
});

describe('jsonBody in process (no HTTP parser framing the body)', () => {
  it('still refuses a body over the limit whose Content-Length claims less', async () => {
    const { deps } = fakeDeps({ env: { BODY_LIMIT: '64' } });
    const app = createApp(deps);
    const body = JSON.stringify({ ...validRecord, pad: 'é'.repeat(40) });
    const res = await app.request(
      new Request('http://x/predict', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Content-Length': '10' },
        body,
      }),
    );
    expect(res.status).toBe(413);
  });
});
