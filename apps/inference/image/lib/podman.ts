// podman as the image tests use it: the run flags this kind of machine needs, an image's
// size and layers, its files, and a container's process.
import { exec, execOk } from './exec.ts';
import { waitUntilReady } from './http.ts';

/**
 * Flags for `podman run` here: runc (crun cannot run containers on this host's hybrid
 * cgroups) and ulimits below the host's (the default ones exceed what the sandbox allows).
 */
export const runFlags = [
  '--runtime',
  'runc',
  '--ulimit',
  'nofile=1024:1024',
  '--ulimit',
  'nproc=1000:1000',
] as const;

/** One layer as `podman history` reports it, newest first. */
export interface Layer {
  readonly createdBy: string;
  readonly size: number;
}

/** The size of an image and of each of its layers, in bytes. */
export interface ImageSize {
  readonly size: number;
  readonly layers: readonly Layer[];
}

/** The image's total size and its layers' sizes (empty metadata-only layers left out). */
export async function imageSize(image: string): Promise<ImageSize> {
  const inspect = await execOk('podman', ['image', 'inspect', '--format', '{{.Size}}', image]);
  const history = await execOk('podman', ['history', '--format', 'json', image]);
  const layers = (
    JSON.parse(history.stdout) as {
      createdBy?: string;
      CreatedBy?: string;
      size?: number;
      Size?: number;
    }[]
  )
    .map((h) => ({
      createdBy: (h.createdBy ?? h.CreatedBy ?? '').trim(),
      size: h.size ?? h.Size ?? 0,
    }))
    .filter((layer) => layer.size > 0);
  return { size: Number(inspect.stdout.trim()), layers };
}

/** The image's config: user, entrypoint, cmd, environment, exposed ports and labels. */
export interface ImageConfig {
  readonly User?: string;
  readonly Entrypoint?: string[] | null;
  readonly Cmd?: string[] | null;
  readonly Env?: string[];
  readonly ExposedPorts?: Record<string, object>;
  readonly Labels?: Record<string, string>;
  readonly WorkingDir?: string;
}

/** `podman image inspect`'s `.Config` of `image`. */
export async function imageConfig(image: string): Promise<ImageConfig> {
  const { stdout } = await execOk('podman', [
    'image',
    'inspect',
    '--format',
    '{{json .Config}}',
    image,
  ]);
  return JSON.parse(stdout) as ImageConfig;
}

/**
 * Every path in the image's flattened file system ('/'-separated, no leading '/' or './'),
 * read from `podman export` of a container that is created, never started, then removed.
 */
export async function imageFiles(image: string): Promise<string[]> {
  const { stdout: id } = await execOk('podman', ['create', image]);
  const container = id.trim();
  try {
    const { stdout } = await execOk('sh', ['-c', 'podman export "$1" | tar -t', 'sh', container], {
      timeoutMs: 300_000,
    });
    return stdout
      .split('\n')
      .map((line) => line.replace(/^\.?\//, '').replace(/\/$/, ''))
      .filter(Boolean);
  } finally {
    await exec('podman', ['rm', '--force', container]);
  }
}

/** The host PID of a running container's main process. */
export async function containerPid(container: string): Promise<number> {
  const { stdout } = await execOk('podman', ['inspect', '--format', '{{.State.Pid}}', container]);
  return Number(stdout.trim());
}

/** A container's exit code once it has exited; `undefined` if it is still running after `timeoutMs`. */
export async function waitForExit(
  container: string,
  timeoutMs: number,
): Promise<number | undefined> {
  const result = await exec('podman', ['wait', container], { timeoutMs });
  if (result.code !== 0) return undefined;
  return Number(result.stdout.trim());
}

/** Every layer digest of an image's root file system, bottom first. */
export async function imageLayers(image: string): Promise<string[]> {
  const { stdout } = await execOk('podman', [
    'image',
    'inspect',
    '--format',
    '{{json .RootFS.Layers}}',
    image,
  ]);
  return JSON.parse(stdout) as string[];
}

/**
 * Starts `image` detached as `name` with a read-only root file system on the host network,
 * bound to 127.0.0.1:`port`, and
 * resolves once `/readyz` answers 200 (rejecting with the container's logs if it stops).
 */
export async function startContainer(name: string, image: string, port: number): Promise<void> {
  await execOk('podman', [
    'run',
    '--detach',
    '--name',
    name,
    ...runFlags,
    '--read-only',
    '--network',
    'host',
    '--env',
    `PORT=${port}`,
    '--env',
    'HOST=127.0.0.1',
    image,
  ]);
  await waitUntilReady(`http://127.0.0.1:${port}`, {
    timeoutMs: 120_000,
    check: async () => {
      const { stdout } = await execOk('podman', [
        'inspect',
        '--format',
        '{{.State.Running}}',
        name,
      ]);
      if (stdout.trim() !== 'true') {
        const logs = await exec('podman', ['logs', name]);
        throw new Error(`the container stopped:\n${logs.stdout}${logs.stderr}`);
      }
    },
  });
}
