/**
 * Per-address limits through the real nginx (Debian's; `.ci/run` installs it): `limit_req` and
 * `limit_conn` keyed by the client's address, that address taken from `X-Forwarded-For` only
 * when the peer is a trusted load balancer. Loopback gives several peer addresses (127.0.0.x)
 * on one machine; 127.0.0.2 plays the trusted load balancer.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, request, type Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findNginx, freePort, type Managed, startNginx, waitForHttp } from '@modelship/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderNginxConf } from './nginx-conf.ts';
import type { NginxConfOptions } from './nginx-conf-options.ts';

const NGINX = findNginx();
const describeNginx = NGINX === undefined ? describe.skip : describe;

const TRUSTED_PROXY = '127.0.0.2';

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A GET from `from` (a loopback source address) on a new connection. */
function get(
  port: number,
  from: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, localAddress: from, headers, agent: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Sends GETs one after another until nginx answers 429 (or `max` were sent); returns the 429. */
async function exhaust(
  port: number,
  from: string,
  headers: Record<string, string> = {},
  max = 50,
): Promise<Reply | undefined> {
  for (let i = 0; i < max; i += 1) {
    const reply = await get(port, from, '/predict', headers);
    if (reply.status === 429) return reply;
  }
  return undefined;
}

describeNginx('per-address limits in nginx', () => {
  let dir: string;
  let upstream: Server;
  let nginx: Managed;
  let port: number;
  /** A second nginx with the connection limit alone (its 429s cannot come from limit_req). */
  let connNginx: Managed;
  let connPort: number;
  const held: Socket[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'modelship-nginx-limits-'));
    await chmod(dir, 0o755);
    upstream = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const start = async (name: string, listenPort: number, limits: NginxConfOptions) => {
      const started = await startNginx({
        name,
        workDir: dir,
        conf: renderNginxConf({
          listenPort,
          listenAddress: '127.0.0.1',
          metricsPort: false,
          upstreamPort: (upstream.address() as AddressInfo).port,
          tempDir: join(dir, name, 'tmp'),
          workerProcesses: 1,
          realIp: { trustedCidrs: [`${TRUSTED_PROXY}/32`] },
          ...limits,
        }),
      });
      await waitForHttp({
        url: `http://127.0.0.1:${listenPort}/nginx-health`,
        process: started,
      });
      return started;
    };
    port = await freePort();
    // One request a second with a burst of 2: the fourth quick request is over budget.
    nginx = await start('limits', port, {
      rateLimit: { requestsPerSecond: 1, burst: 2 },
      connectionLimit: { perAddress: 4 },
    });
    connPort = await freePort();
    connNginx = await start('connections', connPort, { connectionLimit: { perAddress: 1 } });
  });

  afterAll(async () => {
    for (const socket of held) socket.destroy();
    await nginx?.stop();
    await connNginx?.stop();
    await new Promise((resolve) => upstream?.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  it('answers an address over its rate 429 in the error contract, with Retry-After', async () => {
    const refused = await exhaust(port, '127.0.0.10');
    expect(refused).toBeDefined();
    expect(refused?.headers['content-type']).toBe('application/json');
    expect(refused?.headers['retry-after']).toBe('1');
    expect(JSON.parse(refused?.body ?? '')).toMatchObject({ error: { code: 'rate_limited' } });
  });

  it('gives two addresses separate budgets', async () => {
    expect(await exhaust(port, '127.0.0.11')).toBeDefined();
    // The first address is over its budget; another one is not.
    expect((await get(port, '127.0.0.11', '/predict')).status).toBe(429);
    expect((await get(port, '127.0.0.12', '/predict')).status).toBe(200);
  });

  it("takes the client's address from X-Forwarded-For sent by a trusted load balancer", async () => {
    const via = (client: string) => ({ 'X-Forwarded-For': client });
    expect(await exhaust(port, TRUSTED_PROXY, via('203.0.113.1'))).toBeDefined();
    expect((await get(port, TRUSTED_PROXY, '/predict', via('203.0.113.1'))).status).toBe(429);
    // Same proxy, another client behind it: a budget of its own.
    expect((await get(port, TRUSTED_PROXY, '/predict', via('203.0.113.2'))).status).toBe(200);
  });

  it('ignores X-Forwarded-For from an untrusted peer (a spoofed address gets no new budget)', async () => {
    const spoof = (client: string) => ({ 'X-Forwarded-For': client });
    expect(await exhaust(port, '127.0.0.13', spoof('198.51.100.1'))).toBeDefined();
    expect((await get(port, '127.0.0.13', '/predict', spoof('198.51.100.2'))).status).toBe(429);
  });

  it('bounds the requests one address holds open (a trickled body holds one, not more)', async () => {
    // A request whose body never finishes: nginx holds it until client_body_timeout.
    const trickler = connect({ host: '127.0.0.1', port: connPort, localAddress: '127.0.0.20' });
    held.push(trickler);
    await new Promise<void>((resolve) => trickler.once('connect', resolve));
    trickler.write(
      'POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{',
    );
    // Until nginx has read that header, the second request could slip in first: retry briefly.
    let second: Reply | undefined;
    for (let i = 0; i < 100 && second?.status !== 429; i += 1) {
      second = await get(connPort, '127.0.0.20', '/predict');
      if (second.status !== 429) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(second?.status).toBe(429);
    expect(JSON.parse(second?.body ?? '')).toMatchObject({ error: { code: 'rate_limited' } });
    // Another address is not affected.
    expect((await get(connPort, '127.0.0.21', '/predict')).status).toBe(200);
    // The limit counts requests in progress: once the trickled one ends, the address is served.
    trickler.end('}'.padStart(99, ' '));
    let after: Reply | undefined;
    for (let i = 0; i < 100 && after?.status !== 200; i += 1) {
      after = await get(connPort, '127.0.0.20', '/predict');
      if (after.status !== 200) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(after?.status).toBe(200);
  });
});
