import { chmod } from 'node:fs/promises';
import { type Managed, startNginx as startPrivateNginx } from '@modelship/testkit';
import { binaries } from './paths.ts';

/** Options for {@link startNginx}. */
export interface NginxOptions {
  /** Instance name (log file, prefix directory). */
  readonly name: string;
  /** The complete nginx.conf text. */
  readonly conf: string;
  /** Parent directory of the instance's private prefix. */
  readonly workDir: string;
  /** The nginx binary (or a script that runs it). @default the benchmark's nginx */
  readonly binary?: string;
}

/** A private nginx instance (the test kit's), run with the benchmark's nginx binary. */
export async function startNginx(options: NginxOptions): Promise<Managed & { prefix: string }> {
  // The workers run as an unprivileged user under a root master: they must be able to traverse
  // the (mkdtemp, 0700) work directory to the prefix, or every request's check of the pod's
  // drain marker fails with EACCES and writes a [crit] line to the error log.
  await chmod(options.workDir, 0o711);
  return startPrivateNginx({ ...options, binary: options.binary ?? binaries.nginx });
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
