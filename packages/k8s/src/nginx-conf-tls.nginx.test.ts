/**
 * HTTPS through the real nginx (Debian's; `.ci/run` installs it): a self-signed certificate
 * made here with openssl, real TLS clients (node:https for HTTP/1.1, node:http2), the plain
 * port's redirect, and a certificate swapped in place as kubelet does when its Secret changes.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type Server,
} from 'node:http';
import { connect as http2Connect } from 'node:http2';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { findNginx, freePort, type Managed, nginxConfigTest, startNginx } from '@modelship/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderNginxConf } from './nginx-conf.ts';
import { resolveNginxConfOptions } from './nginx-conf-options.ts';

const NGINX = findNginx();
const describeNginx = NGINX === undefined ? describe.skip : describe;

/** Writes a fresh self-signed certificate for localhost and 127.0.0.1 as `<dir>/<name>.crt|key`. */
function selfSigned(dir: string, name: string, commonName: string): void {
  // biome-ignore format: openssl's arguments read best in pairs
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-days', '1', '-subj', `/CN=${commonName}`,
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout', join(dir, `${name}.key`), '-out', join(dir, `${name}.crt`),
  ], { stdio: 'ignore' });
}

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  subject?: string;
}

describeNginx('nginx with TLS', () => {
  let dir: string;
  let tlsDir: string;
  let upstream: Server;
  let nginx: Managed;
  let ca: string;
  let httpsPort: number;
  let plainPort: number;
  const protos: string[] = [];

  /** A GET or POST over HTTPS/1.1 on a new connection, with the peer certificate's subject. */
  const https = (path: string, trusted = ca): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const req = httpsRequest(
        {
          host: '127.0.0.1',
          port: httpsPort,
          path,
          servername: 'localhost',
          ca: trusted,
          agent: false,
        },
        (res) => {
          const subject = String((res.socket as TLSSocket).getPeerCertificate().subject?.CN);
          let body = '';
          res.setEncoding('utf8').on('data', (chunk: string) => {
            body += chunk;
          });
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body, subject }),
          );
        },
      );
      req.on('error', reject).end();
    });

  const plain = (path: string, method = 'GET'): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port: plainPort, path, method, agent: false },
        (res) => {
          res.resume();
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '' }),
          );
        },
      );
      req.on('error', reject).end(method === 'POST' ? '{}' : undefined);
    });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'modelship-nginx-tls-'));
    await chmod(dir, 0o755); // workers run unprivileged when the test runs as root
    tlsDir = join(dir, 'tls');
    await mkdir(tlsDir, { mode: 0o755 });
    selfSigned(tlsDir, 'tls', 'first');
    // A test-only key, readable by nginx's unprivileged workers.
    await chmod(join(tlsDir, 'tls.key'), 0o644);
    ca = await readFile(join(tlsDir, 'tls.crt'), 'utf8');
    upstream = createServer((req, res) => {
      protos.push(String(req.headers['x-forwarded-proto']));
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    plainPort = await freePort();
    httpsPort = await freePort();
    nginx = await startNginx({
      name: 'tls',
      workDir: dir,
      conf: renderNginxConf({
        listenPort: plainPort,
        listenAddress: '127.0.0.1',
        metricsPort: false,
        upstreamPort: (upstream.address() as AddressInfo).port,
        tempDir: join(dir, 'tls', 'tmp'),
        workerProcesses: 1,
        tls: { port: httpsPort, certificateDir: tlsDir },
      }),
    });
    for (let attempt = 0; ; attempt++) {
      try {
        if ((await plain('/nginx-health')).status === 200) break;
      } catch (error) {
        if (attempt > 100)
          throw new Error(`nginx did not start: ${nginx.tail()}`, { cause: error });
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }, 30_000);

  afterAll(async () => {
    await nginx?.stop();
    await new Promise((resolve) => upstream?.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  it('serves HTTPS over HTTP/1.1 with the certificate, telling the service the scheme', async () => {
    const reply = await https('/predict');
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toEqual({ ok: true });
    expect(reply.subject).toBe('first');
    expect(protos.at(-1)).toBe('https');
  });

  it('serves HTTP/2 (ALPN h2) on the same port', async () => {
    const session = http2Connect(`https://127.0.0.1:${httpsPort}`, { ca, servername: 'localhost' });
    try {
      const { status, body } = await new Promise<{ status: number; body: string }>(
        (resolve, reject) => {
          const stream = session.request({ ':path': '/predict', ':method': 'GET' });
          let status = 0;
          let body = '';
          stream.on('response', (headers) => {
            status = Number(headers[':status']);
          });
          stream.setEncoding('utf8').on('data', (chunk: string) => {
            body += chunk;
          });
          stream.on('end', () => resolve({ status, body })).on('error', reject);
          stream.end();
        },
      );
      expect(session.alpnProtocol).toBe('h2');
      expect(status).toBe(200);
      expect(JSON.parse(body)).toEqual({ ok: true });
    } finally {
      session.close();
    }
  });

  it('redirects plain HTTP to HTTPS (308 keeps a POST a POST) but answers its health path', async () => {
    const get = await plain('/predict?x=1');
    expect(get.status).toBe(308);
    expect(get.headers.location).toBe('https://127.0.0.1/predict?x=1');
    expect((await plain('/predict', 'POST')).status).toBe(308);
    expect((await plain('/nginx-health')).status).toBe(200);
  });

  it('serves a certificate swapped in place on the next handshake, without a reload', async () => {
    selfSigned(tlsDir, 'next', 'second');
    await chmod(join(tlsDir, 'next.key'), 0o644);
    await rename(join(tlsDir, 'next.key'), join(tlsDir, 'tls.key'));
    await rename(join(tlsDir, 'next.crt'), join(tlsDir, 'tls.crt'));
    const next = await readFile(join(tlsDir, 'tls.crt'), 'utf8');
    const reply = await https('/predict', next);
    expect(reply.status).toBe(200);
    expect(reply.subject).toBe('second');
    expect(new X509Certificate(next).subject).toBe('CN=second');
  });
});

describeNginx('nginx -t with TLS', () => {
  it('accepts the TLS configuration with no warning', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'modelship-nginx-tls-t-'));
    try {
      const result = await nginxConfigTest(
        NGINX ?? 'nginx',
        renderNginxConf({ tls: {}, tempDir: dir }),
        dir,
      );
      expect(result.stderr).not.toMatch(/\[(warn|emerg|alert|crit)\]/);
      expect(result.status).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('TLS options', () => {
  it.each([
    [{ tls: { port: 8080 } }, "'tls.port' (8080) must differ from listenPort"],
    [{ tls: { port: 70_000 } }, "'tls.port' (70000)"],
    [{ tls: { certificateDir: 'relative' } }, '\'tls.certificateDir\' ("relative")'],
  ])('rejects %j naming the option', (options, message) => {
    expect(() => resolveNginxConfOptions(options)).toThrow(message);
  });
});
