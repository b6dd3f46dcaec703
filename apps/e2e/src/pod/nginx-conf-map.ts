import { readNginxConfOptions, renderNginxConf } from '@modelship/k8s';
import type { PathMap } from './path-map.ts';
import type { PortMap } from './port-map.ts';

/** One line that the mapping changed. */
export interface ConfChange {
  readonly line: number;
  readonly before: string;
  readonly after: string;
}

/** The configuration nginx runs locally, and exactly what differs from the ConfigMap's. */
export interface MappedConf {
  readonly text: string;
  readonly changes: readonly ConfChange[];
}

/**
 * The shipped nginx.conf for the local pod: rendered again by `renderNginxConf` from the
 * options the ConfigMap's configuration records (which must render it exactly), changing only
 * what the pod's environment decides: the ports (each moved to its host port, bound to
 * loopback) and the paths under the container's mounts (emptyDir folders).
 */
export function mapNginxConf(text: string, paths: PathMap, ports: PortMap): MappedConf {
  const o = readNginxConfOptions(text);
  const port = (podPort: number) => (ports.entries.has(podPort) ? ports.local(podPort) : podPort);
  const mapped = renderNginxConf({
    ...o,
    listenAddress: '127.0.0.1',
    listenPort: port(o.listenPort),
    upstreamPort: port(o.upstreamPort),
    operationsPort: port(o.operationsPort),
    metricsPort: o.metricsPort === false ? false : port(o.metricsPort),
    tempDir: paths.mapPath(o.tempDir),
    drainFile: o.drainFile === false ? false : paths.mapPath(o.drainFile),
    accessLogPath: paths.mapPath(o.accessLogPath),
    // The pod's TLS Secret has no local source: the local pod serves plain HTTP on nginx's port
    // (TLS itself runs through the real nginx in @modelship/k8s's nginx-conf-tls test).
    tls: undefined,
  });
  // Changes are counted against the shipped options without TLS, so they show ports and paths only.
  const before = (o.tls === undefined ? text : renderNginxConf({ ...o, tls: undefined })).split(
    '\n',
  );
  const after = mapped.split('\n');
  const changes = after.flatMap((line, index) =>
    line === before[index] ? [] : [{ line: index + 1, before: before[index] ?? '', after: line }],
  );
  return { text: mapped, changes };
}
