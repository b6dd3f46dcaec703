import { connect } from 'node:net';
import { errorBodySchema } from '@modelship/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, createPredictionLane } from '../app.ts';
import { type Listening, listen } from '../lifecycle/listen.ts';
import { fakeDeps, validRecord } from '../testing/fake-deps.ts';

/** Sends one raw request on a fresh connection; resolves with the status and the body. */
function send(port: number, raw: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      received += chunk;
    });
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', body = ''] = received.split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1]), body });
    });
    socket.end(raw);
  });
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
    server = await listen(createApp(deps), {
      port: 0,
      host: '127.0.0.1',
      lane: createPredictionLane(deps),
    });
  });
  afterAll(() => new Promise<void>((resolve) => server.server.close(() => resolve())));

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
      for (const { body } of answers) {
        expect(errorBodySchema.parse(JSON.parse(body)).error.code).toBe('bad_request');
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
