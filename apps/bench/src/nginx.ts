import { spawn } from 'node:child_process';
import { chmod, mkdir, open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { binaries } from './paths.ts';
import { type Managed, startProcess } from './process.ts';

/** Options for {@link startNginx}. */
export interface NginxOptions {
  /** Instance name (log file, prefix directory). */
  readonly name: string;
  /** The complete nginx.conf text. */
  readonly conf: string;
  /** Parent directory of the instance's private prefix. */
  readonly workDir: string;
}

/**
 * Starts a private nginx instance: the config is written into its own prefix directory
 * (`nginx -p DIR`, so that relative pid, log and temp paths land there), checked with
 * `nginx -t`, then run in the foreground.
 * @see https://nginx.org/en/docs/switches.html
 */
export async function startNginx(options: NginxOptions): Promise<Managed & { prefix: string }> {
  const prefix = join(options.workDir, options.name);
  await mkdir(join(prefix, 'tmp'), { recursive: true });
  // Workers drop to an unprivileged user when the master runs as root: they must be able to
  // reach the temp directories inside the prefix.
  await chmod(prefix, 0o755);
  await chmod(join(prefix, 'tmp'), 0o777);
  const confFile = join(prefix, 'nginx.conf');
  await writeFile(confFile, options.conf);
  const base = ['-p', `${prefix}/`, '-c', confFile, '-e', 'stderr'];
  // stdio goes to a file, not a pipe: libuv pipes are sockets, and nginx cannot open
  // /dev/stderr (the shipped config's error_log) when it is a socket.
  const checkLog = join(prefix, 'nginx-t.log');
  const fd = await open(checkLog, 'w');
  const code = await new Promise<number | null>((resolve, reject) => {
    const check = spawn(binaries.nginx, [...base, '-t', '-q'], { stdio: ['ignore', fd.fd, fd.fd] });
    check.once('error', reject);
    check.once('exit', resolve);
  }).finally(() => fd.close());
  if (code !== 0) {
    throw new Error(
      `${options.name}: nginx -t rejected the config:\n${await readFile(checkLog, 'utf8')}`,
    );
  }
  const daemonSet = /^\s*daemon\s/m.test(options.conf);
  const managed = startProcess({
    name: options.name,
    command: binaries.nginx,
    args: daemonSet ? base : [...base, '-g', 'daemon off;'],
    logDir: options.workDir,
    stopSignal: 'SIGQUIT',
  });
  return Object.assign(managed, { prefix });
}

/** The tutorial-style proxy config of the peer, with its two ports filled in. */
export function peerNginxConf(template: string, listenPort: number, upstreamPort: number): string {
  return template
    .replaceAll('@LISTEN_PORT@', String(listenPort))
    .replaceAll('@UPSTREAM_PORT@', String(upstreamPort));
}

/**
 * The static ceiling: nginx answering every request with a fixed JSON body, without any
 * upstream. Same worker settings as a stock config; access log off so it measures nginx's
 * HTTP path alone.
 */
export function staticNginxConf(listenPort: number, body: string): string {
  const escaped = body.replaceAll('\\', '\\\\').replaceAll("'", "\\'");
  return `worker_processes auto;
pid nginx.pid;
error_log stderr;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path tmp/client_body;
    proxy_temp_path tmp/proxy;
    fastcgi_temp_path tmp/fastcgi;
    uwsgi_temp_path tmp/uwsgi;
    scgi_temp_path tmp/scgi;
    server {
        listen 127.0.0.1:${listenPort};
        location / {
            default_type application/json;
            return 200 '${escaped}';
        }
    }
}
`;
}
