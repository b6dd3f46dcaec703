import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { percentiles, runOpenLoop } from './client.ts';
import { responseParser } from './response-parser.ts';
import { runOpenLoopProcess } from './run.ts';

describe('responseParser', () => {
  const a = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: x\r\n\r\nhello';
  const b = 'HTTP/1.1 503 Busy\r\ncontent-length: 2\r\nConnection: close\r\n\r\nno';

  it('frames responses split anywhere, and several in one chunk', () => {
    const bytes = Buffer.from(a + b);
    for (let cut = 1; cut < bytes.length; cut++) {
      const parser = responseParser();
      const got = [...parser.push(bytes.subarray(0, cut)), ...parser.push(bytes.subarray(cut))];
      expect(got).toEqual([
        { status: 200, close: false },
        { status: 503, close: true },
      ]);
    }
  });

  it('refuses a response it cannot frame', () => {
    const chunked = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n';
    expect(() => responseParser().push(Buffer.from(chunked))).toThrow(/Content-Length/);
    expect(() => responseParser().push(Buffer.from('SSH-2.0\r\n\r\n'))).toThrow(/status line/);
  });
});

describe('percentiles', () => {
  it('takes nearest ranks', () => {
    const values = Float64Array.from({ length: 1000 }, (_, i) => 1000 - i);
    expect(percentiles(values)).toEqual({ p50: 500, p90: 900, p99: 990, p999: 999, max: 1000 });
  });
});

describe('runOpenLoop', () => {
  let server: Server | undefined;
  afterEach(
    () => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())),
  );

  /** A server that answers at once, except during one stall of `stallMs` from `stallAfter` requests on. */
  const listen = async (stallAfter: number, stallMs: number) => {
    let seen = 0;
    let stalledUntil = 0;
    const listening = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        seen += 1;
        if (seen === stallAfter) stalledUntil = Date.now() + stallMs;
        const answer = () => res.end('{"ok":true}');
        const wait = stalledUntil - Date.now();
        if (wait > 0) setTimeout(answer, wait);
        else answer();
      });
    });
    server = listening;
    await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(listening.address() as AddressInfo).port}/x`;
  };

  it('sends exactly rate × duration requests after the warm-up, and counts their answers', async () => {
    const url = await listen(0, 0);
    const result = await runOpenLoop({
      url,
      body: '{}',
      ratePerSec: 200,
      durationS: 1,
      warmupS: 0.5,
      connections: 4,
    });
    expect(result.scheduled).toBe(200);
    expect(result.ok).toBe(200);
    expect(result.errors).toEqual({ status: 0, socket: 0, timeout: 0 });
  });

  it('counts a stall against every request scheduled during it (no coordinated omission)', async () => {
    // One connection, 100 requests a second, a 300 ms stall: about 30 requests are due while
    // the connection waits. A closed-loop client would wait too and record one slow request.
    const url = await listen(20, 300);
    const result = await runOpenLoop({
      url,
      body: '{}',
      ratePerSec: 100,
      durationS: 1,
      connections: 1,
    });
    expect(result.ok).toBe(100);
    expect(result.latencyMs.p90).toBeGreaterThanOrEqual(100);
    expect(result.latencyMs.max).toBeGreaterThanOrEqual(290);
  });

  it('runs as a process of its own', async () => {
    const url = await listen(0, 0);
    const result = await runOpenLoopProcess({
      url,
      body: '{}',
      ratePerSec: 100,
      durationS: 0.5,
      connections: 2,
    });
    expect(result.scheduled).toBe(50);
    expect(result.ok).toBe(50);
  });
});
