import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Manifest } from '../manifest/load-manifest.ts';
import type { Container } from '../manifest/types.ts';
import { containerNamed, describeWorkload, type Workload } from '../manifest/workload.ts';
import { type ContainerProcess, startContainerProcess } from './container-process.ts';
import { type ImageStandIn, nginxStandIn, nodeServiceStandIn } from './images.ts';
import type { MappedConf } from './nginx-conf-map.ts';
import type { PathMap } from './path-map.ts';
import { allocatePorts, type PortMap, type PortMode } from './port-map.ts';
import { type ProbeKind, type ProbeResult, runProbe } from './probe.ts';
import { reaperGuard } from './reaper.ts';
import { clientAddressOf, type ServiceProxy, startServiceProxy } from './service-proxy.ts';
import { type TerminationReport, terminatePod } from './termination.ts';
import { containerPathMap, materializeVolumes } from './volumes.ts';

/** Options of {@link startLocalPod}. */
export interface LocalPodOptions {
  /** The synthesized chart to run. */
  readonly manifest: Manifest;
  /** How pod ports land on loopback. @default 'free' */
  readonly ports?: PortMode;
  /** Stand-ins for the container images, tried in order. @default nginx, then the service */
  readonly images?: readonly ImageStandIn[];
  /**
   * Host folders standing in for the pod's CSI volumes, by volume name (a Cloud Storage
   * bucket's prefix as a local folder). @default {} (a CSI volume is refused)
   */
  readonly csiVolumes?: Readonly<Record<string, string>>;
  /**
   * The data of Secrets the pod mounts, by Secret name (data key → text), as the cluster
   * would hold them. @default {} (a Secret volume is an empty folder)
   */
  readonly secrets?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Keep the pod's folder (volumes, mapped configs, logs) after `stop()`. @default false */
  readonly keepDir?: boolean;
}

/** One running container of a local pod. */
export interface LocalContainer {
  readonly spec: Container;
  readonly image: ImageStandIn;
  readonly paths: PathMap;
  readonly process: ContainerProcess;
  /** For nginx: the mapped configuration and what differs from the ConfigMap's. */
  readonly conf?: MappedConf;
}

/** Options of {@link LocalPod.terminate}. */
export interface TerminateOptions {
  /** Override a container's stop signal (default: its image's STOPSIGNAL). */
  readonly stopSignals?: Readonly<Record<string, NodeJS.Signals>>;
}

/** A pod from a chart, running on this machine. */
export interface LocalPod {
  readonly workload: Workload;
  /** The pod's folder: volumes/, containers/, logs/. */
  readonly dir: string;
  readonly ports: PortMap;
  /**
   * The stand-in for the Service's port (this pod its only endpoint); it keeps the client's
   * address with `externalTrafficPolicy: Local`, as the node does.
   */
  readonly service: ServiceProxy;
  /** The host port of the Service's targetPort: this pod as an endpoint of another Service. */
  readonly endpointPort: number;
  /** `http://127.0.0.1:<service proxy port>`: what a load balancer client would reach. */
  readonly url: string;
  readonly containers: ReadonlyMap<string, LocalContainer>;
  /** Runs a container's declared probe once. @throws if the container declares none. */
  probe(container: string, kind: ProbeKind): Promise<ProbeResult>;
  /** Resolves once every container's startup and readiness probes pass (polled every 100 ms). */
  waitUntilReady(timeoutMs?: number): Promise<void>;
  /** Starts a container's process again, as the kubelet restarts an exited container. */
  restart(container: string): Promise<LocalContainer>;
  /** Runs the kubelet's termination sequence (preStop hooks, stop signals, grace period). */
  terminate(options?: TerminateOptions): Promise<TerminationReport>;
  /**
   * Kills what is left (containers and any preStop hook still running), waits until every
   * container process has exited, closes the Service stand-in and removes the folder.
   */
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts the chart's Deployment pod locally, driven only by the manifest: the ConfigMap and
 * emptyDir volumes become folders, each container is played by its image's stand-in (Debian's
 * nginx with the shipped nginx.conf; the built service with the container's env), pod ports
 * move to free loopback ports consistently, and the Service's port becomes a TCP forwarder to
 * its targetPort. Containers start in spec order without waiting, like the kubelet's.
 *
 * @example
 * const pod = await startLocalPod({ manifest: await loadManifest({ dir: 'dist', chart: 'gke' }) });
 * await pod.waitUntilReady();
 * await fetch(`${pod.url}/predict`, { method: 'POST', ... });
 * await pod.stop();
 */
export async function startLocalPod(options: LocalPodOptions): Promise<LocalPod> {
  const { manifest, keepDir = false } = options;
  const images = options.images ?? [nginxStandIn(), nodeServiceStandIn()];
  const workload = describeWorkload(manifest.objects);
  const { pod } = workload;
  const standIn = (container: Container) => {
    const image = images.find((candidate) => candidate.matches(container));
    if (!image)
      throw new Error(`no local stand-in for container ${container.name} (${container.image})`);
    return image;
  };
  const podPorts = pod.containers.flatMap((container) => [
    ...(container.ports ?? []).map((port) => port.containerPort),
    ...standIn(container).listenPorts(container),
  ]);
  const ports = await allocatePorts(podPorts, options.ports);
  const dir = await mkdtemp(join(tmpdir(), 'modelship-pod-'));
  // Traversable by nginx's workers, which run as an unprivileged user when the tests run as root.
  // Removed by stop(), or by the reaper if this process dies first.
  if (!keepDir) reaperGuard.dir(dir);
  await chmod(dir, 0o755);
  const containers = new Map<string, LocalContainer>();
  let volumes: Awaited<ReturnType<typeof materializeVolumes>> = new Map();
  const launch = async (spec: Container, restarts: number) => {
    const image = standIn(spec);
    const paths = containerPathMap(spec, volumes);
    const own = join(dir, 'containers', spec.name);
    await mkdir(own, { recursive: true });
    const { conf, ...plan } = await image.plan({ container: spec, paths, ports, dir: own });
    const logName = restarts === 0 ? spec.name : `${spec.name}.${restarts}`;
    const process = startContainerProcess(logName, plan, join(dir, 'logs'));
    const container: LocalContainer = { spec, image, paths, process, ...(conf ? { conf } : {}) };
    containers.set(spec.name, container);
    return container;
  };
  const restarts = new Map<string, number>();
  let service: ServiceProxy | undefined;
  const endpointPort = ports.local(workload.route.containerPort);

  const stopping = new AbortController();

  const stop = async () => {
    stopping.abort();
    try {
      for (const container of containers.values()) container.process.signal('SIGKILL');
      await Promise.all([...containers.values()].map((container) => container.process.exited));
      await service?.close();
    } finally {
      if (!keepDir) {
        await rm(dir, { recursive: true, force: true });
        reaperGuard.releaseDir(dir);
      }
    }
  };

  try {
    volumes = await materializeVolumes(dir, workload, options.csiVolumes, options.secrets);
    await mkdir(join(dir, 'logs'));
    for (const spec of pod.containers) await launch(spec, 0);
    service = await startServiceProxy(endpointPort, {
      clientAddress: clientAddressOf(workload.service),
    });
  } catch (error) {
    await stop();
    throw error;
  }
  const proxy = service;

  const probe = (name: string, kind: ProbeKind) => {
    const declared = containerNamed(pod, name)[kind];
    if (!declared) throw new Error(`container ${name} declares no ${kind}`);
    return runProbe(declared, pod.containers, ports);
  };

  return {
    workload,
    dir,
    ports,
    service: proxy,
    endpointPort,
    url: `http://127.0.0.1:${proxy.port}`,
    containers,
    probe,
    async waitUntilReady(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      const gates = pod.containers.flatMap((container) =>
        (['startupProbe', 'readinessProbe'] as const)
          .filter((kind) => container[kind] !== undefined)
          .map((kind) => ({ name: container.name, kind })),
      );
      for (;;) {
        const dead = [...containers.values()].find((container) => container.process.exit);
        if (dead) {
          throw new Error(
            `container ${dead.spec.name} exited (${JSON.stringify(dead.process.exit)}): ${(await dead.process.stderr()).slice(-2000)}${(await dead.process.stdout()).slice(-2000)}`,
          );
        }
        const results = await Promise.all(gates.map((gate) => probe(gate.name, gate.kind)));
        if (results.every((result) => result.success)) return;
        if (Date.now() > deadline) {
          throw new Error(`pod not ready after ${timeoutMs} ms: ${JSON.stringify(results)}`);
        }
        await sleep(100);
      }
    },
    async restart(name) {
      const current = containers.get(name);
      if (current?.process.exit === undefined) throw new Error(`container ${name} is running`);
      const count = (restarts.get(name) ?? 0) + 1;
      restarts.set(name, count);
      return launch(containerNamed(pod, name), count);
    },
    terminate(terminateOptions = {}) {
      return terminatePod(
        [...containers.values()].map((container) => ({
          process: container.process,
          paths: container.paths,
          stopSignal:
            terminateOptions.stopSignals?.[container.spec.name] ?? container.image.stopSignal,
          ...(container.spec.lifecycle?.preStop?.exec
            ? { preStop: container.spec.lifecycle.preStop.exec.command }
            : {}),
        })),
        workload.terminationGracePeriodSeconds,
        { signal: stopping.signal },
      );
    },
    stop,
  };
}
