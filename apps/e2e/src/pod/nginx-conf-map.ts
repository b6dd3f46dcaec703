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

const LOOPBACK = '(127\\.0\\.0\\.1|localhost|\\[::1\\])';

/**
 * Maps a shipped nginx.conf onto the local pod, changing only what the pod's environment
 * decides: absolute paths under the container's mounts (emptyDir folders), the ports of
 * `listen` directives (bound to loopback, 127.0.0.1 or [::1], on their host port) and
 * loopback addresses such as the upstream `127.0.0.1:8081` (moved to the service's host
 * port). Every other byte stays.
 */
export function mapNginxConf(text: string, paths: PathMap, ports: PortMap): MappedConf {
  const mapped = paths
    .mapText(text)
    .replace(
      /^(\s*listen\s+)(?:(\[[^\]]*\]|[\w.-]+):)?(\d+)(?=[\s;])/gm,
      (match, prefix: string, address: string | undefined, port: string) => {
        if (!ports.entries.has(Number(port))) return match;
        const loopback = address?.startsWith('[') ? '[::1]' : '127.0.0.1';
        return `${prefix}${loopback}:${ports.local(Number(port))}`;
      },
    )
    .replace(new RegExp(`(?<![\\w.])${LOOPBACK}:(\\d+)\\b`, 'g'), (match, host, port) =>
      ports.entries.has(Number(port)) ? `${host}:${ports.local(Number(port))}` : match,
    );
  const before = text.split('\n');
  const after = mapped.split('\n');
  const changes = after.flatMap((line, index) =>
    line === before[index] ? [] : [{ line: index + 1, before: before[index] ?? '', after: line }],
  );
  return { text: mapped, changes };
}
