// Test helpers: the app served on loopback as the service serves it (the fast lane in front of
// Hono), and raw HTTP/1.1 exchanges for what fetch cannot send.
import { connect } from 'node:net';
import { createApp, createPredictionLane } from '../app.ts';
import type { AppDeps } from '../deps.ts';
import { type Listening, listen } from '../lifecycle/listen.ts';

/** Listens on a free loopback port with `createApp(deps)`, and the lane unless `lane` is false. */
export function serveApp(deps: AppDeps, lane = true): Promise<Listening> {
  return listen(createApp(deps), {
    port: 0,
    host: '127.0.0.1',
    ...(lane ? { lane: createPredictionLane(deps) } : {}),
  });
}

/** Stops a server started by {@link serveApp}. */
export function closeServer(server: Listening): Promise<void> {
  return new Promise((resolve) => server.server.close(() => resolve()));
}

/** Writes `raw` on a fresh connection (then half-closes it) and returns all the server sent. */
export function rawExchange(port: number, raw: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      received += chunk;
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(received));
    socket.end(raw);
  });
}
