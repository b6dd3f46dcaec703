import { request } from 'node:http';
import { connect } from 'node:net';
import type { Container, Probe } from '../manifest/types.ts';
import { resolvePort } from '../manifest/workload.ts';
import type { PortMap } from './port-map.ts';

/** Which of a container's probes. */
export type ProbeKind = 'livenessProbe' | 'readinessProbe' | 'startupProbe';

/** The outcome of one probe, as the kubelet judges it. */
export interface ProbeResult {
  readonly success: boolean;
  /** The HTTP status, for httpGet probes that got an answer. */
  readonly status?: number;
  /** The body (first 1 KiB), for httpGet probes that got an answer. */
  readonly body?: string;
  /** Why it failed without an answer (refused, timeout). */
  readonly error?: string;
  /** `Date.now()` when the result was known. */
  readonly at: number;
}

/** The User-Agent the kubelet sends (the access log leaves these requests out). */
export const KUBE_PROBE_USER_AGENT = 'kube-probe/1.33';

/**
 * Runs a probe once against the local pod the way the kubelet does: httpGet to the pod's
 * address on the declared port (a number or a container port name, here moved to its host
 * port) and path with the declared headers, failing after `timeoutSeconds` (default 1);
 * success is a status in [200, 400). tcpSocket succeeds when the port accepts a connection.
 *
 * @see https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/
 */
export async function runProbe(
  probe: Probe,
  containers: readonly Container[],
  ports: PortMap,
): Promise<ProbeResult> {
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  if (probe.httpGet) {
    const { httpGet } = probe;
    if (httpGet.scheme === 'HTTPS') throw new Error('HTTPS probes are not supported locally');
    const port = ports.local(resolvePort(containers, httpGet.port).containerPort);
    const headers: Record<string, string> = { 'user-agent': KUBE_PROBE_USER_AGENT, accept: '*/*' };
    for (const header of httpGet.httpHeaders ?? [])
      headers[header.name.toLowerCase()] = header.value;
    return new Promise((resolve) => {
      const req = request(
        { host: '127.0.0.1', port, path: httpGet.path ?? '/', headers, agent: false },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            if (body.length < 1024) body += chunk;
          });
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            resolve({ success: status >= 200 && status < 400, status, body, at: Date.now() });
          });
        },
      );
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
      req.on('error', (error) => resolve({ success: false, error: error.message, at: Date.now() }));
      req.end();
    });
  }
  if (probe.tcpSocket) {
    const port = ports.local(resolvePort(containers, probe.tcpSocket.port).containerPort);
    return new Promise((resolve) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.setTimeout(timeoutMs, () => socket.destroy(new Error('timeout')));
      socket.once('connect', () => {
        socket.destroy();
        resolve({ success: true, at: Date.now() });
      });
      socket.once('error', (error) =>
        resolve({ success: false, error: error.message, at: Date.now() }),
      );
    });
  }
  throw new Error('only httpGet and tcpSocket probes run locally');
}
