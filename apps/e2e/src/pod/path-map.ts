import { posix } from 'node:path';

/** One container mount, seen from the host: `mountPath` inside ↔ `hostPath` outside. */
export interface Mount {
  readonly mountPath: string;
  readonly hostPath: string;
}

/** Maps a container's absolute paths onto the host folders that stand in for its volumes. */
export interface PathMap {
  readonly mounts: readonly Mount[];
  /** The host path for a container path, or the path unchanged if no mount covers it. */
  mapPath(path: string): string;
  /**
   * Rewrites every absolute path inside `text` that lies under a mount path (e.g. `/tmp/x` in
   * `pid /tmp/x;`), and nothing else: `/var/tmp` or `/dev/stdout` stay as they are.
   */
  mapText(text: string): string;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Creates the path map of one container from its mounts (longest mount path wins, as in the
 * container's own file system).
 *
 * @example
 * const map = createPathMap([{ mountPath: '/tmp', hostPath: '/tmp/pod-1/volumes/nginx-tmp' }]);
 * map.mapText('pid /tmp/nginx.pid;'); // 'pid /tmp/pod-1/volumes/nginx-tmp/nginx.pid;'
 */
export function createPathMap(mounts: readonly Mount[]): PathMap {
  const sorted = [...mounts]
    .map((mount) => ({ ...mount, mountPath: posix.normalize(mount.mountPath).replace(/\/$/, '') }))
    .sort((a, b) => b.mountPath.length - a.mountPath.length);
  for (const mount of sorted) {
    if (!mount.mountPath.startsWith('/') || mount.mountPath === '') {
      throw new Error(`mount path ${JSON.stringify(mount.mountPath)} must be absolute, not /`);
    }
  }
  const lookup = (path: string) =>
    sorted.find((mount) => path === mount.mountPath || path.startsWith(`${mount.mountPath}/`));
  const pattern =
    sorted.length === 0
      ? undefined
      : new RegExp(
          `(?<![\\w./~-])(${sorted.map((mount) => escapeRegExp(mount.mountPath)).join('|')})(?=[/\\s;'",)]|$)`,
          'g',
        );
  return {
    mounts: sorted,
    mapPath(path) {
      const mount = lookup(path);
      return mount ? mount.hostPath + path.slice(mount.mountPath.length) : path;
    },
    mapText(text) {
      if (!pattern) return text;
      return text.replace(pattern, (match) => lookup(match)?.hostPath ?? match);
    },
  };
}
