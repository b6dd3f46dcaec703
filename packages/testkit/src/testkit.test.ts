import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForHttp } from './http.ts';
import { freePort } from './net.ts';
import { findNginx, startNginx } from './nginx.ts';
import { startProcess } from './process.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'modelship-testkit-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('freePort and waitForHttp', () => {
  it('gives a port a server can listen on, and waits until it answers 200', async () => {
    const port = await freePort();
    let calls = 0;
    const server = createServer((_req, res) => {
      calls++;
      res.writeHead(calls < 3 ? 503 : 200).end();
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    try {
      await waitForHttp({ url: `http://127.0.0.1:${port}/`, timeoutMs: 5000 });
      expect(calls).toBe(3);
    } finally {
      server.close();
    }
  });

  it('never hands out one port twice, though each is free until something listens on it', async () => {
    const ports = [];
    for (let i = 0; i < 300; i++) ports.push(await freePort());
    expect(new Set(ports).size).toBe(ports.length);
  });

  it('stops waiting when its check throws, and times out naming the last answer', async () => {
    const port = await freePort();
    await expect(
      waitForHttp({
        url: `http://127.0.0.1:${port}/`,
        check: () => {
          throw new Error('the process died');
        },
      }),
    ).rejects.toThrow('the process died');
    await expect(waitForHttp({ url: `http://127.0.0.1:${port}/`, timeoutMs: 100 })).rejects.toThrow(
      /not ready after 100 ms/,
    );
  });
});

describe('startProcess', () => {
  it('reports an early exit with the log tail, and stops a running process', async () => {
    const early = startProcess({
      name: 'early',
      command: process.execPath,
      args: ['-e', 'console.log("bye"); process.exit(3)'],
      logDir: dir,
    });
    await expect(early.exited).rejects.toThrow(/early exited early \(code 3.*\n.*bye/s);
    expect(await early.ended).toEqual({ code: 3, signal: null });
    const running = startProcess({
      name: 'running',
      command: process.execPath,
      args: ['-e', 'setInterval(() => {}, 1000)'],
      logDir: dir,
    });
    await running.stop();
    expect(() => process.kill(running.pid, 0)).toThrow();
    expect(await running.ended).toEqual({ code: null, signal: 'SIGTERM' });
  });
});

describe.skipIf(findNginx() === undefined)('startNginx', () => {
  it('refuses a configuration nginx -t rejects, and runs a valid one', async () => {
    await expect(
      startNginx({ name: 'broken', conf: 'events {} http { nonsense; }', workDir: dir }),
    ).rejects.toThrow(/nginx -t rejected/);
    const port = await freePort();
    const conf = `pid tmp/nginx.pid; error_log stderr; events {}
http { access_log off; client_body_temp_path tmp; proxy_temp_path tmp; fastcgi_temp_path tmp;
  uwsgi_temp_path tmp; scgi_temp_path tmp;
  server { listen 127.0.0.1:${port}; location / { return 200 'ok'; } } }`;
    const nginx = await startNginx({ name: 'ok', conf, workDir: dir });
    try {
      await waitForHttp({ url: `http://127.0.0.1:${port}/`, process: nginx, timeoutMs: 10_000 });
    } finally {
      await nginx.stop();
    }
  });
});
