import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { repoRoot } from '../config.ts';
import type { Container } from '../manifest/types.ts';
import { containerEnv } from '../manifest/workload.ts';
import type { LaunchPlan } from './container-process.ts';
import { type MappedConf, mapNginxConf } from './nginx-conf-map.ts';
import type { PathMap } from './path-map.ts';
import type { PortMap } from './port-map.ts';

/** What a stand-in gets to turn a container spec into a local process. */
export interface LaunchContext {
  readonly container: Container;
  readonly paths: PathMap;
  readonly ports: PortMap;
  /** A private folder for this container's local files (mapped configs). */
  readonly dir: string;
}

/**
 * Plays a container image locally: the image's entrypoint, environment and stop signal, with
 * the container spec (command, args, env, mounts) applied as Kubernetes applies it.
 */
export interface ImageStandIn {
  /** A short description, for messages. */
  readonly description: string;
  /** Whether this stand-in plays the container's image. */
  matches(container: Container): boolean;
  /** The image's STOPSIGNAL: what the kubelet sends after the preStop hook. */
  readonly stopSignal: NodeJS.Signals;
  /** Pod ports the process listens on that are not declared as container ports. */
  listenPorts(container: Container): number[];
  /** The local process for the container. */
  plan(context: LaunchContext): Promise<LaunchPlan & { readonly conf?: MappedConf }>;
}

const basePath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Options of {@link nginxStandIn}. */
export interface NginxStandInOptions {
  /** The local nginx binary. @default '/usr/sbin/nginx' */
  readonly binary?: string;
}

/**
 * nginx (the nginx-unprivileged image) played by Debian's nginx. The container's command is
 * kept; `nginx` becomes the local binary, the `-c` file (in the ConfigMap volume) is mapped
 * by {@link mapNginxConf} into the container's folder, and `-p <folder>` plus `-e stderr` stand
 * in for the image's prefix and its error log (a symlink to stderr in the image). The image's
 * STOPSIGNAL is SIGQUIT (a graceful stop).
 */
export function nginxStandIn(options: NginxStandInOptions = {}): ImageStandIn {
  const { binary = '/usr/sbin/nginx' } = options;
  return {
    description: `nginx image played by ${binary}`,
    matches: (container) =>
      basename(container.command?.[0] ?? '') === 'nginx' || /(^|\/)nginx/.test(container.image),
    stopSignal: 'SIGQUIT',
    listenPorts: () => [],
    async plan({ container, paths, ports, dir }) {
      const [first = 'nginx', ...rest] = container.command ?? ['nginx', '-g', 'daemon off;'];
      if (basename(first) !== 'nginx') throw new Error(`${container.name}: runs ${first}`);
      // Container paths in arguments (the -c file) become their host paths.
      const args = [...rest, ...(container.args ?? [])].map((arg) => paths.mapPath(arg));
      const confIndex = args.indexOf('-c') + 1;
      const shipped = args[confIndex];
      if (confIndex === 0 || shipped === undefined) {
        throw new Error(`${container.name}: nginx runs without -c, so its config is the image's`);
      }
      const conf = mapNginxConf(await readFile(shipped, 'utf8'), paths, ports);
      const prefix = join(dir, 'prefix');
      await mkdir(prefix, { recursive: true });
      const local = join(dir, basename(shipped));
      await writeFile(local, conf.text);
      args[confIndex] = local;
      return {
        command: binary,
        args: ['-p', `${prefix}/`, '-e', 'stderr', ...args],
        env: { PATH: basePath },
        conf,
      };
    },
  };
}

/** Options of {@link nodeServiceStandIn}. */
export interface NodeServiceStandInOptions {
  /** The built service. @default `<repo>/apps/inference/dist/server.js` */
  readonly serverJs?: string;
  /** The image's ENV. @default { NODE_ENV: 'production' } */
  readonly imageEnv?: Readonly<Record<string, string>>;
  /**
   * The env variables naming ports the service listens on, its main port first.
   * @default ['PORT', 'PROBE_PORT', 'OPS_PORT']
   */
  readonly portVariables?: readonly string[];
  /**
   * A model folder to serve instead of the one baked into the image (sets MODEL_DIR).
   * @default the bundled model beside the built server (the service's own default)
   */
  readonly modelDir?: string;
}

/**
 * The inference image played by the built service: its entrypoint `node dist/server.js` with
 * the container's env and args. The model baked into the image is the bundled one beside the
 * built server (the service's default MODEL_DIR). `PORT`, `PROBE_PORT` and `OPS_PORT` move to their host ports; `/tmp`,
 * if mounted, becomes TMPDIR. The stop signal is SIGTERM (the image sets none).
 */
export function nodeServiceStandIn(options: NodeServiceStandInOptions = {}): ImageStandIn {
  const {
    serverJs = join(repoRoot, 'apps/inference/dist/server.js'),
    imageEnv = { NODE_ENV: 'production' },
    portVariables = ['PORT', 'PROBE_PORT', 'OPS_PORT'],
    modelDir,
  } = options;
  const portsIn = (container: Container) => {
    const env = containerEnv(container);
    return portVariables.flatMap((name) =>
      env[name] === undefined ? [] : [[name, Number(env[name])] as const],
    );
  };
  const podPort = (container: Container) => portsIn(container).map(([, port]) => port);
  const servesMain = (container: Container) =>
    containerEnv(container)[portVariables[0] ?? 'PORT'] !== undefined;
  return {
    description: `inference image played by node ${serverJs}`,
    matches: (container) => container.command === undefined && servesMain(container),
    stopSignal: 'SIGTERM',
    listenPorts: podPort,
    async plan({ container, paths, ports }) {
      const env: Record<string, string> = { PATH: basePath, ...imageEnv };
      if (modelDir !== undefined) env.MODEL_DIR = modelDir;
      const tmp = paths.mapPath('/tmp');
      if (tmp !== '/tmp') env.TMPDIR = tmp;
      const own = containerEnv(container);
      Object.assign(env, own);
      // The container's MODEL_DIR on a mounted volume (a bucket's mount) is that volume's host
      // folder (a host path given as `modelDir` is used as is).
      if (own.MODEL_DIR !== undefined) env.MODEL_DIR = paths.mapPath(own.MODEL_DIR);
      // The API key file on its Secret's mount.
      if (own.API_KEYS_FILE !== undefined) env.API_KEYS_FILE = paths.mapPath(own.API_KEYS_FILE);
      for (const [name, port] of portsIn(container)) env[name] = String(ports.local(port));
      return {
        command: process.execPath,
        args: [serverJs, ...(container.args ?? [])],
        env,
        cwd: join(serverJs, '../..'),
      };
    },
  };
}
