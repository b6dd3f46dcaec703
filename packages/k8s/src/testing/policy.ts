/**
 * Policy checks over a set of synthesized Kubernetes objects (one chart's output): each
 * function returns human-readable violations, empty when the objects comply. Test-only.
 */
import type { KubeObject } from './kube-schema.ts';

/* Loose views of the fields these checks read; the objects come from parsed YAML. */
type Dict = Record<string, unknown>;
interface Port {
  name?: string;
  containerPort?: number;
}
interface Probe {
  httpGet?: { path?: string; port?: number | string };
}
interface Container {
  name: string;
  image?: string;
  ports?: Port[];
  resources?: { requests?: Dict; limits?: Dict };
  securityContext?: SecurityContext;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}
interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  readOnlyRootFilesystem?: boolean;
  allowPrivilegeEscalation?: boolean;
  privileged?: boolean;
  capabilities?: { drop?: string[] };
  seccompProfile?: { type?: string };
}
interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  securityContext?: SecurityContext;
  volumes?: {
    name: string;
    configMap?: { name: string };
    csi?: { driver: string; readOnly?: boolean };
  }[];
}
interface Workload {
  obj: KubeObject;
  name: string;
  labels: Record<string, string>;
  pod: PodSpec;
}

function at<T>(value: unknown, ...path: string[]): T | undefined {
  let current: unknown = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Dict)[key];
  }
  return current as T | undefined;
}

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

/** Deployments (and other pod controllers) with their pod template. */
export function workloads(objects: readonly KubeObject[]): Workload[] {
  return objects
    .filter((obj) => WORKLOAD_KINDS.has(obj.kind))
    .map((obj) => ({
      obj,
      name: obj.metadata?.name ?? '?',
      labels: at<Record<string, string>>(obj, 'spec', 'template', 'metadata', 'labels') ?? {},
      pod: at<PodSpec>(obj, 'spec', 'template', 'spec') ?? { containers: [] },
    }));
}

function matches(
  selector: Record<string, string> | undefined,
  labels: Record<string, string>,
): boolean {
  if (selector === undefined || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

/** Every container: requests and limits (cpu, memory), liveness and readiness probes, restricted security. */
export function containerPolicyViolations(objects: readonly KubeObject[]): string[] {
  const problems: string[] = [];
  for (const w of workloads(objects)) {
    const pod = w.pod.securityContext ?? {};
    const seccompPod = pod.seccompProfile?.type;
    for (const c of [...w.pod.containers, ...(w.pod.initContainers ?? [])]) {
      const where = `${w.name}/${c.name}`;
      const sc = c.securityContext ?? {};
      for (const kind of ['requests', 'limits'] as const) {
        for (const resource of ['cpu', 'memory']) {
          if (c.resources?.[kind]?.[resource] === undefined)
            problems.push(`${where}: no ${resource} ${kind}`);
        }
      }
      if (!c.livenessProbe) problems.push(`${where}: no livenessProbe`);
      if (!c.readinessProbe) problems.push(`${where}: no readinessProbe`);
      const uid = sc.runAsUser ?? pod.runAsUser;
      if (typeof uid !== 'number' || uid === 0)
        problems.push(`${where}: no numeric non-root runAsUser`);
      if ((sc.runAsNonRoot ?? pod.runAsNonRoot) !== true)
        problems.push(`${where}: runAsNonRoot is not true`);
      if (sc.readOnlyRootFilesystem !== true)
        problems.push(`${where}: root filesystem is writable`);
      if (sc.allowPrivilegeEscalation !== false)
        problems.push(`${where}: privilege escalation allowed`);
      if (sc.privileged === true) problems.push(`${where}: privileged`);
      if (!sc.capabilities?.drop?.includes('ALL'))
        problems.push(`${where}: capabilities not dropped (ALL)`);
      if ((sc.seccompProfile?.type ?? seccompPod) !== 'RuntimeDefault') {
        problems.push(`${where}: seccompProfile is not RuntimeDefault`);
      }
    }
  }
  return problems;
}

/** What a pod serves on its ports, as read from an nginx.conf shipped in a mounted ConfigMap. */
interface NginxView {
  /** The pod volume that holds nginx.conf (mounted by the nginx container). */
  volume: string;
  listenPorts: number[];
  exactLocations: string[];
  proxiesRoot: boolean;
}

function nginxView(objects: readonly KubeObject[], w: Workload): NginxView | undefined {
  for (const volume of w.pod.volumes ?? []) {
    if (!volume.configMap) continue;
    const cm = objects.find(
      (o) => o.kind === 'ConfigMap' && o.metadata?.name === volume.configMap?.name,
    );
    const conf = at<string>(cm, 'data', 'nginx.conf');
    if (conf === undefined) continue;
    return {
      volume: volume.name,
      listenPorts: [...conf.matchAll(/^\s*listen\s+(\d+)/gm)].map((m) => Number(m[1])),
      exactLocations: [...conf.matchAll(/^\s*location\s+=\s+(\S+)\s*\{/gm)].map((m) => m[1] ?? ''),
      // `location / {` with a proxy_pass, past at most one nested block (the drain check).
      proxiesRoot: /location\s+\/\s*\{(?:[^{}]|\{[^{}]*\})*proxy_pass/.test(conf),
    };
  }
  return undefined;
}

/**
 * Every HTTP probe targets a port that a container of the pod declares and a path the pod
 * serves: an exact nginx location, or one of `serviceRoutes` when nginx proxies `/`.
 */
export function probeViolations(
  objects: readonly KubeObject[],
  serviceRoutes: readonly string[],
): string[] {
  const problems: string[] = [];
  for (const w of workloads(objects)) {
    const nginx = nginxView(objects, w);
    for (const c of w.pod.containers) {
      for (const kind of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
        const get = c[kind]?.httpGet;
        if (c[kind] === undefined) continue;
        const where = `${w.name}/${c.name} ${kind}`;
        if (get === undefined) {
          problems.push(`${where}: not an HTTP probe`);
          continue;
        }
        const ports =
          typeof get.port === 'string'
            ? (c.ports ?? [])
            : w.pod.containers.flatMap((x) => x.ports ?? []);
        const port = ports.find((p) => p.containerPort === get.port || p.name === get.port);
        if (port === undefined) {
          problems.push(`${where}: port ${String(get.port)} is not a declared container port`);
          continue;
        }
        if (nginx === undefined) continue;
        const owner = w.pod.containers.find((x) => (x.ports ?? []).includes(port));
        const ownerIsNginx = owner?.volumeMounts?.some((m) => m.name === nginx.volume) ?? false;
        if (!ownerIsNginx) {
          // A probe straight to a service container: its own routes only.
          if (!serviceRoutes.includes(get.path ?? '/')) {
            problems.push(`${where}: path ${get.path ?? '/'} is not served`);
          }
          continue;
        }
        if (!nginx.listenPorts.includes(port.containerPort ?? -1)) {
          problems.push(`${where}: nginx does not listen on ${String(port.containerPort)}`);
        }
        const path = get.path ?? '/';
        const served =
          nginx.exactLocations.includes(path) ||
          (nginx.proxiesRoot && serviceRoutes.includes(path));
        if (!served) problems.push(`${where}: path ${path} is not served`);
      }
    }
  }
  return problems;
}

/** Each Service selects pods, and each of its target ports is a port a selected container declares. */
export function serviceViolations(objects: readonly KubeObject[]): string[] {
  const problems: string[] = [];
  for (const svc of objects.filter((o) => o.kind === 'Service')) {
    const name = svc.metadata?.name ?? '?';
    const selected = workloads(objects).filter((w) =>
      matches(at(svc, 'spec', 'selector'), w.labels),
    );
    if (selected.length === 0) problems.push(`Service/${name}: selects no pods`);
    for (const port of at<{ port: number; targetPort?: number | string }[]>(svc, 'spec', 'ports') ??
      []) {
      const target = port.targetPort ?? port.port;
      for (const w of selected) {
        const declared = w.pod.containers.flatMap((c) => c.ports ?? []);
        if (!declared.some((p) => p.containerPort === target || p.name === target)) {
          problems.push(
            `Service/${name}: targetPort ${String(target)} is not a container port of ${w.name}`,
          );
        }
      }
    }
  }
  return problems;
}

/** An HPA metric (autoscaling/v2), as far as these checks read it. */
interface Metric {
  type?: string;
  resource?: { name?: string; target?: { type?: string } };
  containerResource?: { name?: string; container?: string; target?: { type?: string } };
}

/**
 * What a target's pod template lacks for one HPA metric: a `ContainerResource` metric names a
 * container the pod runs, and a `Utilization` target needs a request for the resource in that
 * container (in every container, for a pod-level `Resource` metric).
 */
function metricProblems(metric: Metric, pod: PodSpec): string[] {
  const source = metric.type === 'ContainerResource' ? metric.containerResource : metric.resource;
  if (source === undefined) return [];
  const resource = source.name ?? '?';
  let containers = pod.containers;
  if (metric.type === 'ContainerResource') {
    const name = metric.containerResource?.container;
    containers = pod.containers.filter((c) => c.name === name);
    if (containers.length === 0) return [`ContainerResource metric names no container ${name}`];
  }
  if (source.target?.type !== 'Utilization') return [];
  return containers
    .filter((c) => c.resources?.requests?.[resource] === undefined)
    .map((c) => `${resource} utilization of ${c.name}, which requests no ${resource}`);
}

/**
 * Each HPA targets an existing Deployment that leaves `replicas` to it, and measures what the
 * target's pods declare (containers and requests).
 */
export function autoscalerViolations(objects: readonly KubeObject[]): string[] {
  const problems: string[] = [];
  for (const hpa of objects.filter((o) => o.kind === 'HorizontalPodAutoscaler')) {
    const ref =
      at<{ apiVersion?: string; kind?: string; name?: string }>(hpa, 'spec', 'scaleTargetRef') ??
      {};
    const target = objects.find(
      (o) =>
        o.kind === ref.kind && o.apiVersion === ref.apiVersion && o.metadata?.name === ref.name,
    );
    const where = `HorizontalPodAutoscaler/${hpa.metadata?.name ?? '?'}`;
    if (target === undefined) problems.push(`${where}: target ${ref.kind}/${ref.name} not found`);
    else if (at(target, 'spec', 'replicas') !== undefined)
      problems.push(`${where}: target sets replicas`);
    const pod = at<PodSpec>(target, 'spec', 'template', 'spec');
    if (pod === undefined) continue;
    for (const metric of at<Metric[]>(hpa, 'spec', 'metrics') ?? []) {
      for (const problem of metricProblems(metric, pod)) problems.push(`${where}: ${problem}`);
    }
  }
  return problems;
}

/** Each PodDisruptionBudget and NetworkPolicy selects the pods of some workload. */
export function selectorViolations(objects: readonly KubeObject[]): string[] {
  const problems: string[] = [];
  const paths: Record<string, string[]> = {
    PodDisruptionBudget: ['spec', 'selector', 'matchLabels'],
    NetworkPolicy: ['spec', 'podSelector', 'matchLabels'],
  };
  for (const obj of objects) {
    const path = paths[obj.kind];
    if (path === undefined) continue;
    const selector = at<Record<string, string>>(obj, ...path);
    if (!workloads(objects).some((w) => matches(selector, w.labels))) {
      problems.push(`${obj.kind}/${obj.metadata?.name ?? '?'}: selects no pods`);
    }
  }
  return problems;
}

/**
 * Volumes a container must not write to: a ConfigMap (its content is the manifest's) and a CSI
 * volume such as a Cloud Storage bucket (a model source, shared by every pod) are read-only
 * in the volume (CSI) and in every mount.
 */
export function volumeViolations(objects: readonly KubeObject[]): string[] {
  const problems: string[] = [];
  for (const w of workloads(objects)) {
    const readOnlyVolumes = (w.pod.volumes ?? []).filter((v) => v.configMap || v.csi);
    for (const v of readOnlyVolumes) {
      if (v.csi && v.csi.readOnly !== true) {
        problems.push(`${w.name}: CSI volume ${v.name} is not readOnly`);
      }
    }
    for (const c of [...w.pod.containers, ...(w.pod.initContainers ?? [])]) {
      for (const m of c.volumeMounts ?? []) {
        if (readOnlyVolumes.some((v) => v.name === m.name) && m.readOnly !== true) {
          problems.push(`${w.name}/${c.name}: ${m.name} mounted writable at ${m.mountPath}`);
        }
      }
    }
  }
  return problems;
}

/** All of the checks above. */
export function allPolicyViolations(
  objects: readonly KubeObject[],
  serviceRoutes: readonly string[],
): string[] {
  return [
    ...containerPolicyViolations(objects),
    ...probeViolations(objects, serviceRoutes),
    ...serviceViolations(objects),
    ...autoscalerViolations(objects),
    ...selectorViolations(objects),
    ...volumeViolations(objects),
  ];
}
