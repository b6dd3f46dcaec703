import { k8s } from 'cdk8s-plus-27';
import { selectorLabels } from './metadata.ts';
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
 * Probes. The service binds 127.0.0.1, which the kubelet cannot reach (it probes the pod IP),
 * so every probe goes through nginx's port:
 * - nginx liveness and readiness: nginx's own health location, answered by nginx alone;
 * - inference startup and readiness: `/readyz` through nginx, so the pod is ready exactly when
 *   the model is loaded and not draining (and an unready pod leaves the Service's endpoints);
 * - inference liveness: `/healthz` through nginx, with a window (6 × 10 s) long enough that an
 *   nginx restart (which fails these probes for a moment) never restarts the service.
 * The startup probe holds the other probes off while the model loads.
 * @see https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/
 * @see https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/
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
      timeoutSeconds: 2,
      failureThreshold: 3,
    }),
    readinessProbe: httpProbe(s.nginx.healthPath, port, {
      periodSeconds: 5,
      timeoutSeconds: 2,
      failureThreshold: 2,
    }),
    // Keeps nginx serving while the service drains: kubelet sends nginx its stop signal only
    // after this hook returns, i.e. SHUTDOWN_DELAY + 5 s after the service got SIGTERM.
    // @see https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-termination
    lifecycle: { preStop: { exec: { command: ['sleep', String(s.nginxPreStopSleepSeconds)] } } },
    volumeMounts: [
      { name: 'nginx-conf', mountPath: NGINX_CONF_DIR, readOnly: true },
      { name: 'nginx-tmp', mountPath: s.nginx.tempDir },
      { name: 'nginx-cache', mountPath: '/var/cache/nginx' },
    ],
  };
}

function inferenceContainer(s: WorkloadSettings): k8s.Container {
  const i = s.inference;
  const port = s.nginx.listenPort;
  const startupPeriod = 2;
  const env: Record<string, string> = {
    PORT: String(i.port),
    HOST: '127.0.0.1',
    BODY_LIMIT: String(i.bodyLimitBytes),
    SHUTDOWN_DELAY: String(i.shutdownDelaySeconds),
    SHUTDOWN_TIMEOUT: String(i.shutdownTimeoutSeconds),
    KEEPALIVE_TIMEOUT: String(i.keepaliveTimeoutSeconds),
    MAX_BATCH: String(i.maxBatch),
    LOG_LEVEL: i.logLevel,
    ...(i.modelDir === undefined ? {} : { MODEL_DIR: i.modelDir }),
    ...(i.googleCloudProject === undefined ? {} : { GOOGLE_CLOUD_PROJECT: i.googleCloudProject }),
    ...i.env,
  };
  return {
    name: 'inference',
    image: s.image,
    imagePullPolicy: s.imagePullPolicy,
    // No `ports`: the service listens on 127.0.0.1 only; nginx is the pod's only entry.
    env: Object.entries(env).map(([name, value]) => ({ name, value })),
    resources: resources(s.resources.inference),
    securityContext: securityContext(INFERENCE_UID),
    startupProbe: httpProbe('/readyz', port, {
      periodSeconds: startupPeriod,
      timeoutSeconds: 2,
      failureThreshold: Math.ceil(i.startupTimeoutSeconds / startupPeriod),
    }),
    readinessProbe: httpProbe('/readyz', port, {
      periodSeconds: 5,
      timeoutSeconds: 2,
      failureThreshold: 2,
      successThreshold: 1,
    }),
    livenessProbe: httpProbe('/healthz', port, {
      periodSeconds: 10,
      timeoutSeconds: 5,
      failureThreshold: 6,
    }),
    volumeMounts: [{ name: 'inference-tmp', mountPath: '/tmp' }],
  };
}

function spread(
  s: WorkloadSettings,
  topologyKey: string,
  mode: string,
  minDomains?: number,
): k8s.TopologySpreadConstraint {
  return {
    maxSkew: 1,
    topologyKey,
    whenUnsatisfiable: mode,
    // Counts zones without pods (or nodes) yet, so the minimum replicas cannot share one.
    ...(minDomains === undefined ? {} : { minDomains }),
    labelSelector: { matchLabels: selectorLabels(s) },
    // Balance each ReplicaSet on its own, so a rollout does not skew the new pods.
    matchLabelKeys: ['pod-template-hash'],
  };
}

/** The pod spec: nginx in front, the inference service on loopback, restricted security. */
export function podSpec(s: WorkloadSettings, serviceAccountName: string): k8s.PodSpec {
  return {
    serviceAccountName,
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    terminationGracePeriodSeconds: s.terminationGracePeriodSeconds,
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [nginxContainer(s), inferenceContainer(s)],
    volumes: [
      { name: 'nginx-conf', configMap: { name: objectNames(s.name).configMap } },
      { name: 'nginx-tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('64Mi') } },
      { name: 'nginx-cache', emptyDir: { sizeLimit: k8s.Quantity.fromString('16Mi') } },
      { name: 'inference-tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('64Mi') } },
    ],
    topologySpreadConstraints: [
      spread(s, 'topology.kubernetes.io/zone', s.topologySpread.zones, s.topologySpread.minZones),
      spread(s, 'kubernetes.io/hostname', s.topologySpread.nodes),
    ],
  };
}
