import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Listening } from '../lifecycle/listen.ts';
import { fakeDeps } from '../testing/fake-deps.ts';
import { closeServer, serveApp } from '../testing/raw-http.ts';

/** Sends a request's headers and the start of its body, then drops the connection. */
function abortMidBody(port: number, target: string, framing: 'length' | 'chunked'): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', reject);
    const length =
      framing === 'length' ? 'Content-Length: 200\r\n' : 'Transfer-Encoding: chunked\r\n';
    const start = framing === 'length' ? '{"age": 40, "sex": ' : '13\r\n{"age": 40, "sex": \r\n';
    socket.write(
      `POST ${target} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${length}\r\n${start}`,
      () =>
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 50),
    );
  });
}

const waitFor = async (done: () => boolean) => {
  for (let i = 0; i < 200 && !done(); i += 1) await new Promise((r) => setTimeout(r, 10));
};

// A client that goes away mid-body is the client's doing: it must not be answered, logged or
// counted as a server error (it would feed the 5xx alert), on the lane and on Hono's path.
describe.each([
  ['the fast lane', '/predict', 'length'],
  ["Hono's path (a query string)", '/predict?via=hono', 'length'],
  ["Hono's path (a chunked body)", '/predict', 'chunked'],
] as const)('a client that aborts mid-body, %s', (_name, target, framing) => {
  const { deps, lines } = fakeDeps();
  let server: Listening;
  beforeAll(async () => {
    server = await serveApp(deps);
  });
  afterAll(() => closeServer(server));

  it('is a quiet 499, never an error line or a counted 5xx', async () => {
    await abortMidBody(server.port, target, framing);
    await waitFor(() => lines.some((line) => 'status' in line));
    expect(deps.requests.inFlight).toBe(0);
    expect(lines.filter((line) => line.severity !== 'INFO')).toEqual([]);
    const requestLines = lines.filter((line) => 'status' in line);
    expect(requestLines).toMatchObject([{ status: 499, path: '/predict' }]);
    const counted = await deps.metrics.registry.getSingleMetricAsString('http_requests_total');
    expect(counted).toMatch(/status="499"\} 1$/m);
    expect(counted).not.toMatch(/status="5\d\d"/);
  });
});
