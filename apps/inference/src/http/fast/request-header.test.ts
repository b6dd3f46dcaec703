import { type AddressInfo, connect } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestHeader } from './request-header.ts';

/** Answers the headers the service reads, as `requestHeader` sees them. */
const app = new Hono().get('/', (c) =>
  c.json({
    type: requestHeader(c, 'content-type') ?? null,
    id: requestHeader(c, 'x-request-id') ?? null,
    agent: requestHeader(c, 'user-agent') ?? null,
    absent: requestHeader(c, 'traceparent') ?? null,
  }),
);

/** A GET written by hand (repeated names allowed) over a real socket; the JSON it answers. */
function get(port: number, headers: [string, string][]): Promise<Record<string, unknown>> {
  const lines = headers.map(([name, value]) => `${name}: ${value}\r\n`).join('');
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.end(`GET / HTTP/1.1\r\nHost: test\r\nConnection: close\r\n${lines}\r\n`);
    });
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => {
      text += chunk;
    });
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', body = ''] = text.split('\r\n\r\n');
      if (!head.startsWith('HTTP/1.1 200')) reject(new Error(`answered ${head.split('\r\n')[0]}`));
      else resolve(JSON.parse(body));
    });
  });
}

describe('requestHeader', () => {
  let server: ReturnType<typeof serve>;
  let port = 0;
  beforeAll(async () => {
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise<void>((resolve) => server.once('listening', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('reads the Node request behind a served request, whatever the case of the name sent', async () => {
    const seen = await get(port, [
      ['Content-Type', 'application/json'],
      ['X-REQUEST-ID', 'abc-123'],
      ['User-Agent', 'probe/1'],
    ]);
    expect(seen).toEqual({
      type: 'application/json',
      id: 'abc-123',
      agent: 'probe/1',
      absent: null,
    });
  });

  it('gives repeated headers as Node does: joined, or the first of those it keeps once', async () => {
    const seen = await get(port, [
      ['X-Request-Id', 'a'],
      ['X-Request-Id', 'b'],
      ['User-Agent', 'first'],
      ['User-Agent', 'second'],
    ]);
    expect(seen.id).toBe('a, b');
    expect(seen.agent).toBe('first');
  });

  it('falls back to the web request without a Node request (app.request in tests)', async () => {
    const res = await app.request('/', {
      headers: { 'content-type': 'text/plain', 'x-request-id': 'in-process' },
    });
    expect(await res.json()).toEqual({
      type: 'text/plain',
      id: 'in-process',
      agent: null,
      absent: null,
    });
  });
});
