/**
 * The generated nginx.conf under the real nginx binary (Debian's nginx; `.ci/run` installs it):
 * `nginx -t` on the shipped configuration as-is, then a live nginx in front of a stub service
 * on loopback to check the behaviour the configuration promises.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { Agent, createServer, type IncomingHttpHeaders, request, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findNginx, freePort, nginxConfigTest, stdoutFile } from '@modelship/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderNginxConf } from './nginx-conf.ts';

const NGINX = findNginx();
if (NGINX === undefined)
  console.warn('nginx not found: skipping the real-nginx tests (apt-get install nginx)');
const describeNginx = NGINX === undefined ? describe.skip : describe;

const nginxTest = (conf: string, dir: string) => nginxConfigTest(NGINX ?? 'nginx', conf, dir);

describeNginx('nginx -t', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'modelship-nginx-t-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.each([
    ['the shipped defaults', {}],
    ['rate limiting on', { rateLimit: { requestsPerSecond: 50 } }],
    [
      'both per-address limits on',
      { rateLimit: { requestsPerSecond: 50 }, connectionLimit: { perAddress: 32 } },
    ],
    ['no real-IP module, no gzip', { realIp: false as const, gzip: false }],
  ])('accepts %s with no warning', async (_name, options) => {
    const result = await nginxTest(renderNginxConf(options), dir);
    expect(result.stderr).toContain('test is successful');
    expect(result.stderr).not.toMatch(/\[(warn|emerg|alert|crit)\]/);
    expect(result.status).toBe(0);
  });

  it('rejects a broken configuration (the check can fail)', async () => {
    const result = await nginxTest(renderNginxConf().replace('keepalive 256;', 'keepalive;'), dir);
    expect(result.status).not.toBe(0);
  });
});

interface Seen {
  url: string;
  headers: IncomingHttpHeaders;
  socket: number;
}

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

function send(
  port: number,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string; agent?: Agent } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: init.method ?? 'GET',
        headers: init.headers,
        agent: init.agent ?? false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('latin1'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

/** Sends `raw` bytes as they are and reads the whole answer (nginx closes the connection). */
function sendRaw(
  port: number,
  raw: string,
): Promise<{ status: number; head: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(raw));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const [head = '', body = ''] = text.split('\r\n\r\n', 2);
      resolve({ status: Number(head.split(' ')[1]), head, body });
    });
  });
}

describeNginx('nginx in front of a stub service', () => {
  let dir: string;
  let upstream: Server;
  let nginx: ChildProcess;
  let port: number;
  let metricsPort: number;
  const accessLog = () => readFile(join(dir, 'stdout.log'), 'utf8').catch(() => '');
  const seen: Seen[] = [];
  const sockets = new Map<unknown, number>();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'modelship-nginx-live-'));
    await chmod(dir, 0o755); // nginx workers run as an unprivileged user when the test runs as root
    upstream = createServer((req, res) => {
      if (!sockets.has(req.socket)) sockets.set(req.socket, sockets.size);
      seen.push({
        url: req.url ?? '',
        headers: req.headers,
        socket: sockets.get(req.socket) ?? -1,
      });
      req.resume();
      // Like the service: echo the request id (nginx must not send it twice).
      res.setHeader('x-request-id', String(req.headers['x-request-id'] ?? 'none'));
      if (req.url === '/form.js') {
        // The service's scripts (the form's, /docs/init.js) go out as text/javascript.
        const script = `const rows = ${JSON.stringify('x'.repeat(4096))};`;
        res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(script);
        return;
      }
      const body = req.url === '/big' ? JSON.stringify({ rows: 'x'.repeat(4096) }) : '{"ok":true}';
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    port = await freePort();
    metricsPort = await freePort();
    const conf = renderNginxConf({
      listenPort: port,
      metricsPort,
      upstreamPort: (upstream.address() as AddressInfo).port,
      // The stand-in answers for the service's operational listener too.
      operationsPort: (upstream.address() as AddressInfo).port,
      bodyLimitBytes: 1024,
      tempDir: dir,
      workerProcesses: 1,
    });
    await writeFile(join(dir, 'nginx.conf'), conf);
    const stdout = stdoutFile(dir);
    const stderr = openSync(join(dir, 'stderr.log'), 'a');
    nginx = spawn(
      NGINX ?? 'nginx',
      ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'],
      {
        stdio: ['ignore', stdout, stderr],
      },
    );
    closeSync(stdout);
    closeSync(stderr);
    for (let attempt = 0; ; attempt++) {
      try {
        if ((await send(port, '/nginx-health')).status === 200) break;
      } catch (error) {
        if (attempt > 100 || nginx.exitCode !== null) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  });

  afterAll(async () => {
    if (nginx && nginx.exitCode === null) {
      const exited = new Promise((resolve) => nginx.once('exit', resolve));
      nginx.kill('SIGQUIT');
      await exited;
    }
    await new Promise((resolve) => upstream?.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  it('answers its health location itself with JSON', async () => {
    const before = seen.length;
    const reply = await send(port, '/nginx-health');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/json');
    expect(JSON.parse(reply.body)).toEqual({ status: 'ok' });
    expect(seen.length).toBe(before);
  });

  it('never passes the metrics path or the drift page on from the public port (JSON 404)', async () => {
    const before = seen.length;
    for (const path of [
      '/metrics',
      '/metrics/',
      '/metrics?x=1',
      '//metrics',
      '/%6Detrics',
      '/monitoring',
      '/monitoring/',
      '//monitoring',
      '/%6Donitoring',
      '/admin/reload',
      '//admin/reload',
      '/admin/',
    ]) {
      const reply = await send(port, path);
      expect(reply.status, path).toBe(404);
      expect(reply.headers['content-type'], path).toBe('application/json');
      expect(JSON.parse(reply.body).error.code, path).toBe('not_found');
    }
    const reload = await send(port, '/admin/reload', { method: 'POST', body: '' });
    expect(reload.status).toBe(404);
    expect(seen.length).toBe(before);
  });

  it('passes a POST to the reload route on from the metrics port, and refuses any other method', async () => {
    const reply = await send(metricsPort, '/admin/reload', { method: 'POST', body: '' });
    expect(reply.status).toBe(200);
    expect(seen.at(-1)?.url).toBe('/admin/reload');
    const before = seen.length;
    const get = await send(metricsPort, '/admin/reload');
    expect(get.status).toBe(403);
    expect(seen.length).toBe(before);
  });

  it('serves the metrics path and the drift page on the metrics port, and nothing else there', async () => {
    const reply = await send(metricsPort, '/metrics');
    expect(reply.status).toBe(200);
    expect(seen.at(-1)?.url).toBe('/metrics');
    const page = await send(metricsPort, '/monitoring');
    expect(page.status).toBe(200);
    expect(seen.at(-1)?.url).toBe('/monitoring');
    const before = seen.length;
    for (const path of ['/predict', '/', '/nginx-health', '/monitoring/x']) {
      const other = await send(
        metricsPort,
        path,
        path === '/predict' ? { method: 'POST', body: '{}' } : {},
      );
      expect(other.status, path).toBe(404);
      expect(JSON.parse(other.body).error.code, path).toBe('not_found');
    }
    expect(seen.length).toBe(before);
  });

  it('mints a request id, passes it on and returns it', async () => {
    const reply = await send(port, '/readyz');
    const id = reply.headers['x-request-id'];
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(seen.at(-1)?.headers['x-request-id']).toBe(id);
  });

  it("keeps the caller's request id", async () => {
    const reply = await send(port, '/predict', { headers: { 'x-request-id': 'req-42' } });
    expect(reply.headers['x-request-id']).toBe('req-42');
    expect(seen.at(-1)?.headers['x-request-id']).toBe('req-42');
  });

  it('replaces a request id the service would refuse', async () => {
    const reply = await send(port, '/predict', { headers: { 'x-request-id': 'a b;c' } });
    expect(reply.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
    expect(seen.at(-1)?.headers['x-request-id']).toBe(reply.headers['x-request-id']);
  });

  it('reuses one upstream connection over HTTP/1.1 without Connection: close', async () => {
    await send(port, '/a');
    await send(port, '/b');
    const [a, b] = seen.slice(-2);
    expect(a?.socket).toBe(b?.socket);
    expect(b?.headers.connection).toBeUndefined();
  });

  it('answers an oversized body with a JSON 413 and never bothers the service', async () => {
    const before = seen.length;
    const reply = await send(port, '/predict', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pad: 'x'.repeat(2000) }),
    });
    expect(reply.status).toBe(413);
    expect(reply.headers['content-type']).toBe('application/json');
    expect(JSON.parse(reply.body).error.code).toBe('payload_too_large');
    expect(seen.length).toBe(before);
  });

  it('answers requests it rejects while reading them with JSON, never HTML', async () => {
    const before = seen.length;
    const cases = [
      { path: '/../../etc/passwd', status: 400, code: 'bad_request' },
      { path: `/predict?${'q'.repeat(20_000)}`, status: 414, code: 'uri_too_long' },
      {
        path: '/predict',
        headers: { 'x-padding': 'p'.repeat(40_000) },
        status: 400,
        code: 'header_too_large',
      },
    ];
    for (const { path, headers, status, code } of cases) {
      const reply = await send(port, path, headers ? { headers } : {});
      expect({ path: path.slice(0, 20), status: reply.status }).toEqual({
        path: path.slice(0, 20),
        status,
      });
      expect(reply.headers['content-type']).toBe('application/json');
      expect(JSON.parse(reply.body).error.code).toBe(code);
    }
    expect(seen.length).toBe(before);
  });

  it('passes an HTTP/1.0 request without Host on with a Host the service accepts', async () => {
    const reply = await sendRaw(port, 'GET /predict?v=10 HTTP/1.0\r\n\r\n');
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toEqual({ ok: true });
    expect(seen.at(-1)?.url).toBe('/predict?v=10');
    expect(seen.at(-1)?.headers.host).toMatch(/^[a-z0-9.-]+$/);
  });

  it("keeps the client's Host for the service", async () => {
    await send(port, '/predict', { headers: { host: 'models.example.com' } });
    expect(seen.at(-1)?.headers.host).toBe('models.example.com');
  });

  it('answers a transfer coding it does not implement with a JSON 501', async () => {
    const before = seen.length;
    const reply = await sendRaw(
      port,
      'POST /predict HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n',
    );
    expect(reply.status).toBe(501);
    expect(reply.head).toMatch(/\r\ncontent-type: application\/json\r\n/i);
    expect(JSON.parse(reply.body).error.code).toBe('not_implemented');
    expect(seen.length).toBe(before);
  });

  it('refuses other methods than POST on the reload route with a JSON 403', async () => {
    const reply = await send(metricsPort, '/admin/reload', { method: 'PUT', body: '' });
    expect(reply.status).toBe(403);
    expect(reply.headers['content-type']).toBe('application/json');
    expect(JSON.parse(reply.body).error.code).toBe('forbidden');
  });

  it('gzips JSON for clients that accept it', async () => {
    const reply = await send(port, '/big', { headers: { 'accept-encoding': 'gzip' } });
    expect(reply.headers['content-encoding']).toBe('gzip');
  });

  it("gzips the service's scripts (text/javascript) too", async () => {
    const reply = await send(port, '/form.js', { headers: { 'accept-encoding': 'gzip' } });
    expect(reply.headers['content-encoding']).toBe('gzip');
  });

  it('hides its version', async () => {
    expect((await send(port, '/nginx-health')).headers.server).toBe('nginx');
  });

  it('logs requests as JSON lines but not kubelet probes', async () => {
    await send(port, '/readyz', {
      headers: { 'user-agent': 'kube-probe/1.30', 'x-request-id': 'probe-1' },
    });
    await send(port, '/readyz', { headers: { 'x-request-id': 'logged-1' } });
    for (let attempt = 0; !(await accessLog()).includes('logged-1') && attempt < 100; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const entries = (await accessLog())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const entry = entries.find((e) => e.request_id === 'logged-1');
    expect(entry).toMatchObject({ status: 200, uri: '/readyz', method: 'GET' });
    expect(typeof entry.request_time).toBe('number');
    expect(entry.upstream_response_time).toMatch(/^\d+\.\d+$/);
    expect(entries.some((e) => e.request_id === 'probe-1')).toBe(false);
  });

  it('closes each kept-alive connection after its reply while the drain marker exists', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const marker = join(dir, 'modelship-draining');
    // The marker's presence is cached for open_file_cache_valid (1 s) per worker.
    const settle = () => new Promise((resolve) => setTimeout(resolve, 1200));
    try {
      expect((await send(port, '/predict?n=1', { agent })).headers.connection).toBe('keep-alive');
      await writeFile(marker, '');
      await settle();
      const draining = await send(port, '/predict?n=2', { agent, method: 'POST', body: '{}' });
      expect(draining.status).toBe(200);
      expect(draining.headers.connection).toBe('close');
      expect(draining.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
      // The service sees the client's own URI and request id, as outside a drain.
      expect(seen.at(-1)?.url).toBe('/predict?n=2');
      expect(seen.at(-1)?.headers['x-request-id']).toBe(draining.headers['x-request-id']);
      // The rest of the public port's rules hold during the drain.
      expect((await send(port, '/metrics', { agent })).status).toBe(404);
      expect((await send(port, '/_modelship/draining', { agent })).status).toBe(404);
      await rm(marker);
      await settle();
      expect((await send(port, '/predict?n=3', { agent })).headers.connection).toBe('keep-alive');
    } finally {
      await rm(marker, { force: true });
      agent.destroy();
    }
  });

  it('answers a JSON 502 when the service is down', async () => {
    await new Promise((resolve) => upstream.close(resolve));
    upstream.closeAllConnections();
    const reply = await send(port, '/predict');
    expect(reply.status).toBe(502);
    expect(reply.headers['content-type']).toBe('application/json');
    expect(JSON.parse(reply.body).error.code).toBe('bad_gateway');
    expect(reply.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
  });
});
