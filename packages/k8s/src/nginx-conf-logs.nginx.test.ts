/**
 * The buffered access log under the real nginx: lines reach stdout without further traffic,
 * and a graceful stop (SIGQUIT, the image's stop signal) writes every buffered line.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findNginx, freePort, stdoutFile } from '@modelship/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderNginxConf } from './nginx-conf.ts';

const NGINX = findNginx();

function get(port: number, id: string, agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/predict', agent, headers: { 'x-request-id': id } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe.skipIf(NGINX === undefined)('the access log, buffered', () => {
  let dir: string;
  let upstream: Server;
  let nginx: ChildProcess;
  let port: number;
  const ids = (text: string) =>
    text
      .trim()
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => (JSON.parse(line) as { request_id: string }).request_id);
  const accessLog = () => readFile(join(dir, 'stdout.log'), 'utf8').catch(() => '');

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'modelship-nginx-log-'));
    await chmod(dir, 0o755); // nginx workers run as an unprivileged user when the test runs as root
    upstream = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    port = await freePort();
    const conf = renderNginxConf({
      listenPort: port,
      metricsPort: false,
      upstreamPort: (upstream.address() as AddressInfo).port,
      tempDir: dir,
      workerProcesses: 2,
    });
    await writeFile(join(dir, 'nginx.conf'), conf);
    const stdout = stdoutFile(dir);
    nginx = spawn(
      NGINX ?? 'nginx',
      ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'],
      {
        stdio: ['ignore', stdout, 'ignore'],
      },
    );
    closeSync(stdout);
    const agent = new Agent();
    for (let attempt = 0; ; attempt++) {
      try {
        await get(port, 'warm-up', agent);
        break;
      } catch (error) {
        if (attempt > 100 || nginx.exitCode !== null) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  });

  afterEach(async () => {
    if (nginx.exitCode === null) {
      const exited = new Promise((resolve) => nginx.once('exit', resolve));
      nginx.kill('SIGQUIT');
      await exited;
    }
    await new Promise((resolve) => upstream.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  it('writes a lone request’s line without further traffic, within the flush interval', async () => {
    await get(port, 'lone-1', new Agent());
    const deadline = Date.now() + 5_000;
    while (!ids(await accessLog()).includes('lone-1') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(ids(await accessLog())).toContain('lone-1');
  });

  it('writes every buffered line, each whole, when stopped gracefully', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const sent = Array.from({ length: 200 }, (_, i) => `burst-${i}`);
    const statuses = await Promise.all(sent.map((id) => get(port, id, agent)));
    agent.destroy();
    expect(statuses.every((s) => s === 200)).toBe(true);
    // At once, well inside the 100 ms flush: what is still buffered goes out on exit.
    const exited = new Promise((resolve) => nginx.once('exit', resolve));
    nginx.kill('SIGQUIT');
    await exited;
    const logged = ids(await accessLog());
    expect(logged.filter((id) => id.startsWith('burst-')).sort()).toEqual([...sent].sort());
  });
});
