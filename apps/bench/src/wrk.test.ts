import { access, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCi } from './config.ts';
import { binaries } from './paths.ts';
import { parseWrkOutput, runWrk, wrkScript } from './wrk.ts';

const sample = `Running 1s test @ http://127.0.0.1:1/predict
  1 threads and 8 connections
WRK_RESULT {"requests":5000,"durationUs":2000000,"connect":0,"read":1,"write":0,"status":3,"timeout":2,"mean":1500.5,"p50":1200,"p90":2500,"p99":9000,"max":15000}
`;

describe('parseWrkOutput', () => {
  it('turns the done hook line into req/s and milliseconds', () => {
    const result = parseWrkOutput(sample);
    expect(result.requests).toBe(5000);
    expect(result.requestsPerSec).toBe(2500);
    expect(result.latencyMs).toEqual({ mean: 1.5005, p50: 1.2, p90: 2.5, p99: 9, max: 15 });
    expect(result.errors).toEqual({ connect: 0, read: 1, write: 0, timeout: 2, status: 3 });
  });

  it('fails loudly when wrk printed no result', () => {
    expect(() => parseWrkOutput('unable to connect')).toThrow(/no result line/);
  });
});

describe('wrkScript', () => {
  it('posts the body verbatim as JSON', () => {
    const script = wrkScript('{"a":"b\'c"}');
    expect(script).toContain('wrk.method = "POST"');
    expect(script).toContain('[==[{"a":"b\'c"}]==]');
    expect(script).toContain('"Content-Type"] = "application/json"');
  });

  it('refuses a body that would end the Lua string early', () => {
    expect(() => wrkScript('x]==]y')).toThrow(/terminator/);
  });
});

const haveWrk = await access(binaries.wrk).then(
  () => true,
  () => false,
);
if (!haveWrk && isCi()) throw new Error(`wrk is required under CI (${binaries.wrk})`);

describe.skipIf(!haveWrk)('runWrk against a real server', () => {
  let url = '';
  let dir = '';
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      if (bodies.length < 5) bodies.push(`${req.method} ${req.headers['content-type']} ${body}`);
      res.writeHead(req.url === '/fail' ? 503 : 200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bench-wrk-'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (!address || typeof address !== 'object') throw new Error('no address');
    url = `http://127.0.0.1:${address.port}`;
  });
  afterAll(async () => {
    server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('measures requests and sends the POST body', async () => {
    const result = await runWrk({
      url: `${url}/ok`,
      body: '{"x":1}',
      connections: 2,
      durationS: 1,
      scratchDir: dir,
    });
    expect(result.requests).toBeGreaterThan(0);
    expect(result.errors.status).toBe(0);
    expect(bodies[0]).toBe('POST application/json {"x":1}');
  });

  it('counts error statuses', async () => {
    const result = await runWrk({
      url: `${url}/fail`,
      body: '{}',
      connections: 1,
      durationS: 1,
      scratchDir: dir,
    });
    expect(result.errors.status).toBe(result.requests);
  });
});
