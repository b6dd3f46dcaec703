import { ManifestError } from './load-manifest.ts';
import type {
  ConfigMap,
  Container,
  Deployment,
  KubeObject,
  PodSpec,
  Service,
  Volume,
} from './types.ts';

/** The Service port that routes to the pod, resolved down to one container's port. */
export interface ServiceRoute {
  /** The Service's `port` (what clients of the load balancer use). */
  readonly servicePort: number;
  /** The container whose port the Service's `targetPort` names. */
  readonly container: string;
  /** That container's `containerPort`. */
  readonly containerPort: number;
}

/** Everything the local pod needs from a chart, found through the objects' references. */
export interface Workload {
  readonly deployment: Deployment;
  readonly pod: PodSpec;
  readonly service: Service;
  readonly route: ServiceRoute;
  /** ConfigMaps by name (those the pod's volumes reference). */
  readonly configMaps: ReadonlyMap<string, ConfigMap>;
  /** `terminationGracePeriodSeconds`, with Kubernetes' default of 30. */
  readonly terminationGracePeriodSeconds: number;
}

const ofKind = <T extends KubeObject>(objects: readonly KubeObject[], kind: string) =>
  objects.filter((object): object is T => object.kind === kind);

/** Resolves a port given as a number or as a container port name to the container's number. */
export function resolvePort(
  containers: readonly Container[],
  port: number | string,
  container?: string,
): { container: string; containerPort: number } {
  for (const candidate of containers) {
    if (container !== undefined && candidate.name !== container) continue;
    for (const declared of candidate.ports ?? []) {
      if (declared.name === port || declared.containerPort === port) {
        return { container: candidate.name, containerPort: declared.containerPort };
      }
    }
  }
  if (typeof port === 'number' && container !== undefined)
    return { container, containerPort: port };
  throw new ManifestError(`no container port ${JSON.stringify(port)} in the pod`);
}

/**
 * Finds the Deployment, the Service in front of it and the ConfigMaps its volumes use.
 * Exactly one Deployment and one Service are expected (the chart's shape).
 *
 * @throws {ManifestError} naming what is missing or ambiguous.
 */
export function describeWorkload(objects: readonly KubeObject[]): Workload {
  const deployments = ofKind<Deployment>(objects, 'Deployment');
  const services = ofKind<Service>(objects, 'Service');
  const [deployment] = deployments;
  const [service] = services;
  if (deployments.length !== 1 || deployment === undefined) {
    throw new ManifestError(`expected one Deployment, found ${deployments.length}`);
  }
  if (services.length !== 1 || service === undefined) {
    throw new ManifestError(`expected one Service, found ${services.length}`);
  }
  const pod = deployment.spec.template.spec;
  const [servicePort] = service.spec.ports;
  if (servicePort === undefined) throw new ManifestError('the Service declares no port');
  const target = resolvePort(pod.containers, servicePort.targetPort ?? servicePort.port);

  const configMapsByName = new Map(
    ofKind<ConfigMap>(objects, 'ConfigMap').map((map) => [map.metadata.name, map]),
  );
  const configMaps = new Map<string, ConfigMap>();
  for (const volume of pod.volumes ?? []) {
    if (!volume.configMap) continue;
    const map = configMapsByName.get(volume.configMap.name);
    if (!map) {
      throw new ManifestError(
        `volume ${volume.name} references ConfigMap ${volume.configMap.name}, not in the chart`,
      );
    }
    configMaps.set(map.metadata.name, map);
  }
  return {
    deployment,
    pod,
    service,
    route: { servicePort: servicePort.port, ...target },
    configMaps,
    terminationGracePeriodSeconds: pod.terminationGracePeriodSeconds ?? 30,
  };
}

/** The pod's container by name. @throws {ManifestError} if absent. */
export function containerNamed(pod: PodSpec, name: string): Container {
  const container = pod.containers.find((candidate) => candidate.name === name);
  if (!container) throw new ManifestError(`no container ${name} in the pod`);
  return container;
}

/** The pod's volume by name. @throws {ManifestError} if absent. */
export function volumeNamed(pod: PodSpec, name: string): Volume {
  const volume = pod.volumes?.find((candidate) => candidate.name === name);
  if (!volume) throw new ManifestError(`no volume ${name} in the pod`);
  return volume;
}

/** The literal env of a container as a record (`valueFrom` is not supported locally). */
export function containerEnv(container: Container): Record<string, string> {
  const env: Record<string, string> = {};
  for (const variable of container.env ?? []) {
    if (variable.valueFrom !== undefined) {
      throw new ManifestError(
        `${container.name}: env ${variable.name} uses valueFrom, which a local pod cannot resolve`,
      );
    }
    env[variable.name] = variable.value ?? '';
  }
  return env;
}
