import { OPERATIONAL_ROUTES, SERVICE_ENV_NAMES } from '@modelship/contract';
import { k8s } from 'cdk8s-plus-27';
import { serviceEnv } from './workload-inference.ts';
import { modelSourceMounts, modelSourceVolumes } from './workload-model-source.ts';
import { topologySpreadConstraints } from './workload-placement.ts';
import type { ContainerResources } from './workload-props.ts';
import type { WorkloadSettings } from './workload-settings.ts';

/** uid/gid of the `nginx` user in nginxinc/nginx-unprivileged. */
export const NGINX_UID = 101;
/** uid/gid of the `node` user in the official Node image (the inference image's user). */
export const INFERENCE_UID = 1000;
/** Where the nginx ConfigMap is mounted. */
export const NGINX_CONF_DIR = '/etc/nginx/modelship';

/** The ServiceAccount's, ConfigMap's and container names, derived from the workload's name. */
export function objectNames(name: string) {
  return { configMap: `${name}-nginx`, backendConfig: `${name}-backendconfig` } as const;
}

function resources(r: ContainerResources): k8s.ResourceRequirements {
  const amounts = (a: ContainerResources['requests']) => ({
    cpu: k8s.Quantity.fromString(`${a.cpuMillis}m`),
    memory: k8s.Quantity.fromString(`${a.memoryMiB}Mi`),
    'ephemeral-storage': k8s.Quantity.fromString(`${a.ephemeralStorageMiB}Mi`),
  });
  return { requests: amounts(r.requests), limits: amounts(r.limits) };
}

/** Restricted-profile container security context for a fixed non-root user. */
function securityContext(uid: number): k8s.SecurityContext {
  return {
    runAsUser: uid,
    runAsGroup: uid,
    runAsNonRoot: true,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    privileged: false,
    capabilities: { drop: ['ALL'] },
  };
}

function httpProbe(path: string, port: number, timing: Omit<k8s.Probe, 'httpGet'>): k8s.Probe {
  return { httpGet: { path, port: k8s.IntOrString.fromNumber(port), scheme: 'HTTP' }, ...timing };
}

/*
 * Probes. The service binds 127.0.0.1, which the kubelet cannot reach (it probes the pod IP):
 * - nginx liveness and readiness: nginx's own health location, answered by nginx alone; the
 *   liveness window (6 × 10 s, 5 s timeout) is wide, so a briefly saturated nginx is not
 *   restarted (a restart would cut every connection it holds);
 * - inference startup and readiness: `/readyz` through nginx, so the pod is ready exactly when
 *   the whole path works: nginx reaches the service, the model is loaded and not draining;
 * - inference liveness: `/healthz` on the service's own probe port (`PROBE_PORT`, the bare
 *   probe routes on the pod IP), not through nginx: a saturated nginx must never get the
 *   service, and its loaded model, restarted. The NetworkPolicy needs no rule for it: traffic
 *   from the pod's own node (the kubelet) is always allowed.
 * The startup probe holds the other probes off while the model loads.
 * @see https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/
 * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
 */
function nginxContainer(s: WorkloadSettings): k8s.Container {
  const port = s.nginx.listenPort;
  return {
    name: 'nginx',
    image: s.nginxImage,
    imagePullPolicy: s.nginxImagePullPolicy,
    // Run nginx directly with our config; the image's entrypoint scripts would try to edit
    // files on the read-only root filesystem.
    command: ['nginx', '-c', `${NGINX_CONF_DIR}/nginx.conf`, '-g', 'daemon off;'],
    ports: [
      { name: 'http', containerPort: port, protocol: 'TCP' },
      ...(s.nginx.metricsPort === false
        ? []
        : [{ name: 'metrics', containerPort: s.nginx.metricsPort, protocol: 'TCP' }]),
    ],
    resources: resources(s.resources.nginx),
    securityContext: securityContext(NGINX_UID),
    livenessProbe: httpProbe(s.nginx.healthPath, port, {
      periodSeconds: 10,
      timeoutSeconds: 5,
      failureThreshold: 6,
    }),
    readinessProbe: httpProbe(s.nginx.healthPath, port, {
      periodSeconds: 5,
      timeoutSeconds: 2,
      failureThreshold: 2,
    }),
    // The termination sequence's first step (see TerminationTimeline): the drain marker, so that
    // nginx answers `Connection: close` from now on, then serving on while load balancers
    // catch up; kubelet sends nginx its stop signal when the hook returns.
    // @see https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-termination
    lifecycle: { preStop: { exec: { command: drainHook(s) } } },
    volumeMounts: [
      { name: 'nginx-conf', mountPath: NGINX_CONF_DIR, readOnly: true },
      { name: 'nginx-tmp', mountPath: s.nginx.tempDir },
      { name: 'nginx-cache', mountPath: '/var/cache/nginx' },
    ],
  };
}

/**
 * nginx's preStop command: create the drain marker, then sleep through the load balancers'
 * lag. Paths and numbers are arguments (`$1`, `$2`), not part of the script.
 */
function drainHook(s: WorkloadSettings): string[] {
  const lag = String(s.termination.loadBalancerLagSeconds);
  if (s.nginx.drainFile === false) return ['sleep', lag];
  return ['/bin/sh', '-c', 'touch "$1" && exec sleep "$2"', 'drain', s.nginx.drainFile, lag];
}

function inferenceContainer(s: WorkloadSettings): k8s.Container {
  const i = s.inference;
  const port = s.nginx.listenPort;
  const startupPeriod = 2;
  // Every variable of the service's contract that is set, in the contract's order, then the
  // user's own (which may not redefine them).
  const contract = serviceEnv(s);
  const env = [
    ...SERVICE_ENV_NAMES.flatMap((name) => {
      const value = (contract as Partial<Record<string, string>>)[name];
      return value === undefined ? [] : [{ name, value }];
    }),
    ...Object.entries(i.env).map(([name, value]) => ({ name, value })),
  ];
  return {
    name: 'inference',
    image: s.image,
    imagePullPolicy: s.imagePullPolicy,
    // The service listens on 127.0.0.1 only (nginx is the pod's only entry for requests).
    env,
    resources: resources(s.resources.inference),
    securityContext: securityContext(INFERENCE_UID),
    startupProbe: httpProbe(OPERATIONAL_ROUTES.ready, port, {
      periodSeconds: startupPeriod,
      timeoutSeconds: 2,
      failureThreshold: Math.ceil(i.startupTimeoutSeconds / startupPeriod),
    }),
    readinessProbe: httpProbe(OPERATIONAL_ROUTES.ready, port, {
      periodSeconds: 5,
      timeoutSeconds: 2,
      failureThreshold: 2,
      successThreshold: 1,
    }),
    // Only the kubelet connects here (the NetworkPolicy admits no one else to this port).
    ports: [{ name: 'probes', containerPort: i.probePort, protocol: 'TCP' }],
    livenessProbe: httpProbe(OPERATIONAL_ROUTES.health, i.probePort, {
      periodSeconds: 10,
      timeoutSeconds: 5,
      failureThreshold: 6,
    }),
    volumeMounts: [
      { name: 'inference-tmp', mountPath: '/tmp' },
      ...modelSourceMounts(s.modelSource),
    ],
  };
}

/** The pod spec: nginx in front, the inference service on loopback, restricted security. */
export function podSpec(s: WorkloadSettings, serviceAccountName: string): k8s.PodSpec {
  return {
    serviceAccountName,
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    terminationGracePeriodSeconds: s.termination.gracePeriodSeconds,
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [nginxContainer(s), inferenceContainer(s)],
    volumes: [
      { name: 'nginx-conf', configMap: { name: objectNames(s.name).configMap } },
      { name: 'nginx-tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('64Mi') } },
      { name: 'nginx-cache', emptyDir: { sizeLimit: k8s.Quantity.fromString('16Mi') } },
      { name: 'inference-tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('64Mi') } },
      ...modelSourceVolumes(s.modelSource),
    ],
    topologySpreadConstraints: topologySpreadConstraints(s),
  };
}
