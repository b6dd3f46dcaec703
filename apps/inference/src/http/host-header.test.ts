import { errorBodySchema } from '@modelship/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Listening } from '../lifecycle/listen.ts';
import { fakeDeps, validRecord } from '../testing/fake-deps.ts';
import { closeServer, rawExchange, serveApp } from '../testing/raw-http.ts';

/** One raw request's status and body. */
async function send(
  port: number,
  raw: string,
): Promise<{ status: number; head: string; body: string }> {
  const [head = '', body = ''] = (await rawExchange(port, raw)).split('\r\n\r\n');
  return { status: Number(head.split(' ')[1]), head, body };
}

const record = JSON.stringify(validRecord);
const post = (target: string, host: string) =>
  `POST ${target} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\n` +
  `Content-Length: ${Buffer.byteLength(record)}\r\nConnection: close\r\n\r\n${record}`;

// The lane takes `/predict` with a plain body, Hono the same request with a query string and
// every other route: whatever the Host, both must answer alike, and any refusal in JSON.
describe('a Host header that is not a plain host name', () => {
  const { deps } = fakeDeps();
  let server: Listening;
  beforeAll(async () => {
    server = await serveApp(deps);
  });
  afterAll(() => closeServer(server));

  it.each(['a%b', 'a?b', 'user@example.com', 'example.com?x=1', 'x%2F', 'example.com:65536'])(
    'Host: %s is refused alike by the lane and Hono, in the contract error shape',
    async (host) => {
      const answers = [
        await send(server.port, post('/predict', host)),
        await send(server.port, post('/predict?via=hono', host)),
        await send(
          server.port,
          `GET /healthz HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
        ),
      ];
      expect(answers.map((a) => a.status)).toEqual([400, 400, 400]);
      for (const { head, body } of answers) {
        expect(errorBodySchema.parse(JSON.parse(body)).error.code).toBe('bad_request');
        // What every answer carries, whichever path refused it.
        expect(head).toMatch(/^x-request-id: [\w-]+$/im);
        expect(head).toMatch(/^content-security-policy: default-src 'none'/im);
      }
    },
  );

  it('serves a plain host name and an address with a port on both paths', async () => {
    for (const host of ['localhost', 'model.example.com:8080', '127.0.0.1:65535', '[::1]:8081']) {
      const viaLane = await send(server.port, post('/predict', host));
      const viaHono = await send(server.port, post('/predict?via=hono', host));
      expect([host, viaLane.status, viaHono.status]).toEqual([host, 200, 200]);
      expect(viaLane.body).toBe(viaHono.body);
    }
  });
});
