import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ManifestError } from '../manifest/load-manifest.ts';
import type { Container } from '../manifest/types.ts';
import type { Workload } from '../manifest/workload.ts';
import { createPathMap, type PathMap } from './path-map.ts';

/** The host folders standing in for the pod's volumes, by volume name. */
export type VolumeDirs = ReadonlyMap<string, string>;

/**
 * Creates one folder per pod volume under `root`, as the kubelet would:
 * - `emptyDir`: an empty folder, world-writable like the kubelet's (mode 0777), so that
 *   nginx's workers (an unprivileged user when the tests run as root) can write to it;
 * - `configMap`: one file per key (or per `items` entry), mode 0644, holding the data as is;
 * - `csi`: the folder `csiVolumes` names for it, used as is (what the driver would mount, e.g.
 *   a local copy of a bucket's prefix; make it read-only to play a `readOnly` volume).
 *
 * @throws {ManifestError} for a volume kind a local pod cannot provide.
 */
export async function materializeVolumes(
  root: string,
  workload: Workload,
  csiVolumes: Readonly<Record<string, string>> = {},
  secrets: Readonly<Record<string, Readonly<Record<string, string>>>> = {},
): Promise<VolumeDirs> {
  const dirs = new Map<string, string>();
  for (const volume of workload.pod.volumes ?? []) {
    if (volume.csi) {
      const folder = csiVolumes[volume.name];
      if (folder === undefined) {
        throw new ManifestError(
          `volume ${volume.name}: a CSI volume (${volume.csi.driver}) runs locally only when mapped to a folder (csiVolumes)`,
        );
      }
      dirs.set(volume.name, folder);
      continue;
    }
    const dir = join(root, 'volumes', volume.name);
    await mkdir(dir, { recursive: true });
    if (volume.emptyDir) {
      await chmod(dir, 0o777);
    } else if (volume.configMap) {
      const data = workload.configMaps.get(volume.configMap.name)?.data ?? {};
      const items = volume.configMap.items ?? Object.keys(data).map((key) => ({ key, path: key }));
      for (const item of items) {
        const text = data[item.key];
        if (text === undefined) {
          throw new ManifestError(`ConfigMap ${volume.configMap.name} has no key ${item.key}`);
        }
        const file = join(dir, item.path);
        await mkdir(join(file, '..'), { recursive: true });
        await writeFile(file, text, { mode: 0o644 });
      }
      await chmod(dir, 0o755);
    } else if (volume.secret) {
      // Its data lives in the cluster; a test may hand it over (`secrets`), as kubelet writes it:
      // the volume's items, or every key. Without it the folder is empty (the local nginx then
      // serves without TLS: nginx-conf-map).
      const data = secrets[volume.secret.secretName];
      if (data !== undefined) {
        const items = volume.secret.items ?? Object.keys(data).map((key) => ({ key, path: key }));
        for (const item of items) {
          const text = data[item.key];
          if (text === undefined) {
            throw new ManifestError(`Secret ${volume.secret.secretName} has no key ${item.key}`);
          }
          await writeFile(join(dir, item.path), text, { mode: 0o644 });
        }
      }
      await chmod(dir, 0o755);
    } else {
      throw new ManifestError(
        `volume ${volume.name}: only emptyDir, configMap, secret and (mapped) csi volumes run locally`,
      );
    }
    dirs.set(volume.name, dir);
  }
  return dirs;
}

/** The path map of one container: each volumeMount (with its subPath) onto its volume's folder. */
export function containerPathMap(container: Container, volumes: VolumeDirs): PathMap {
  return createPathMap(
    (container.volumeMounts ?? []).map((mount) => {
      const dir = volumes.get(mount.name);
      if (dir === undefined) {
        throw new ManifestError(`${container.name} mounts ${mount.name}, which is not a volume`);
      }
      return {
        mountPath: mount.mountPath,
        hostPath: mount.subPath ? join(dir, mount.subPath) : dir,
      };
    }),
  );
}
