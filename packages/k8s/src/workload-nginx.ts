import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { httpProbe, securityContext } from './container-parts.ts';
import { assertPinnedImage, defaultPullPolicy } from './image-reference.ts';
import { objectMeta, type WorkloadMeta } from './metadata.ts';
import {
  DERIVED_NGINX_OPTIONS,
  type DerivedNginxOption,
  type NginxConfOptions,
  type NginxConnectionLimitOptions,
  type NginxRateLimitOptions,
  type ResolvedNginxConfOptions,
  resolveNginxConfOptions,
} from './nginx-conf-options.ts';
import { fail } from './validate.ts';
import { type ContainerResources, resourceRequirements } from './workload-placement.ts';

/**
 * The nginx image that fronts the service: unprivileged (uid 101), listening on 8080; nginx's
 * stable line on Debian trixie. In production, pull it through an Artifact Registry remote
 * repository and pin it by digest with `nginxImage` (docs/gke.md's runbook).
 * @see https://nginx.org/en/download.html
 * @see https://hub.docker.com/r/nginxinc/nginx-unprivileged
 */
export const DEFAULT_NGINX_IMAGE = 'nginxinc/nginx-unprivileged:1.30.5-trixie';

/**
 * The workload's per-address rate limit unless `nginx.rateLimit` says otherwise: a flood guard
 * per pod (each pod counts on its own), far above one person's use and loose enough for a
 * program calling from one address; per-client limits belong to API keys.
 */
export const DEFAULT_RATE_LIMIT = {
  requestsPerSecond: 100,
  burst: 200,
} as const satisfies NginxRateLimitOptions;

/**
 * The workload's per-address bound on requests in progress unless `nginx.connectionLimit` says
 * otherwise: what one address can hold open with trickled bodies, per pod.
 */
export const DEFAULT_CONNECTION_LIMIT = {
  perAddress: 64,
} as const satisfies NginxConnectionLimitOptions;

/** uid/gid of the `nginx` user in nginxinc/nginx-unprivileged. */
export const NGINX_UID = 101;
/** Where the nginx ConfigMap is mounted. */
export const NGINX_CONF_DIR = '/etc/nginx/modelship';

/** The nginx container's image and configuration. */
export interface NginxProps {
  /**
   * nginx image: `name:tag`, `name@sha256:<64 hex>` or `name:tag@sha256:<64 hex>`.
   * @default DEFAULT_NGINX_IMAGE
   */
  readonly nginxImage?: string;
  /**
   * Pull policy of the nginx container, by default following `nginxImage` as `imagePullPolicy`
   * follows `image`.
   * @default 'Always' for a tag, 'IfNotPresent' for a digest
   */
  readonly nginxImagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  /**
   * nginx options; `listenPort`, `upstreamPort`, `bodyLimitBytes` and the metrics port and path
   * are derived and may not be set here. Per-address limits (`rateLimit`: {@link DEFAULT_RATE_LIMIT};
   * `connectionLimit`: {@link DEFAULT_CONNECTION_LIMIT}) are on by default wherever nginx sees
   * each client's address: behind the Ingress, or on a load balancer Service with
   * `externalTrafficPolicy: Local`; `false` turns one off.
   * @default {}
   */
  readonly nginx?: Omit<NginxConfOptions, DerivedNginxOption>;
}

/** The nginx section with defaults applied. */
export interface ResolvedNginx {
  readonly image: string;
  readonly imagePullPolicy: NonNullable<NginxProps['nginxImagePullPolicy']>;
  readonly options: ResolvedNginxConfOptions;
}

/**
 * Applies the defaults of {@link NginxProps} and validates them. `defaults` (the load
 * balancers' choices) yield to the user's options; `derived` (from the other sections) may not
 * be set by the user.
 */
export function resolveNginx(
  props: NginxProps,
  defaults: NginxConfOptions,
  derived: Required<Pick<NginxConfOptions, Exclude<DerivedNginxOption, 'listenAddress' | 'tls'>>> &
    Pick<NginxConfOptions, 'tls'>,
): ResolvedNginx {
  const own = (props.nginx ?? {}) as Readonly<Record<string, unknown>>;
  for (const name of DERIVED_NGINX_OPTIONS) {
    if (own[name] !== undefined) {
      fail(`nginx.${name}`, own[name], 'is derived by the construct and may not be set');
    }
  }
  const options = resolveNginxConfOptions({ ...defaults, ...props.nginx, ...derived }, 'nginx.');
  const image = props.nginxImage ?? DEFAULT_NGINX_IMAGE;
  const reference = assertPinnedImage('nginxImage', image);
  return {
    image,
    imagePullPolicy: props.nginxImagePullPolicy ?? defaultPullPolicy(reference),
    options,
  };
}

/** The ConfigMap's name. */
export const nginxConfigMapName = (meta: WorkloadMeta): string => `${meta.name}-nginx`;

/** The ConfigMap holding nginx.conf (`<name>-nginx`). */
export function nginxConfigMap(
  scope: Construct,
  meta: WorkloadMeta,
  conf: string,
): k8s.KubeConfigMap {
  return new k8s.KubeConfigMap(scope, 'nginx-conf', {
    metadata: objectMeta(meta, nginxConfigMapName(meta)),
    data: { 'nginx.conf': conf },
  });
}

/**
 * nginx's preStop command: create the drain marker, then sleep through the load balancers'
 * lag. Paths and numbers are arguments (`$1`, `$2`), not part of the script.
 */
function drainHook(o: ResolvedNginxConfOptions, lagSeconds: number): string[] {
  const lag = String(lagSeconds);
  if (o.drainFile === false) return ['sleep', lag];
  return ['/bin/sh', '-c', 'touch "$1" && exec sleep "$2"', 'drain', o.drainFile, lag];
}

/**
 * The nginx container. Its liveness and readiness probes ask nginx's own health location,
 * answered by nginx alone; the liveness window (6 × 10 s, 5 s timeout) is wide, so a briefly
 * saturated nginx is not restarted (a restart would cut every connection it holds).
 * @see https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/
 */
export function nginxContainer(
  nginx: ResolvedNginx,
  pod: { readonly resources: ContainerResources; readonly loadBalancerLagSeconds: number },
): k8s.Container {
  const o = nginx.options;
  const port = o.listenPort;
  return {
    name: 'nginx',
    image: nginx.image,
    imagePullPolicy: nginx.imagePullPolicy,
    // Run nginx directly with our config; the image's entrypoint scripts would try to edit
    // files on the read-only root filesystem.
    command: ['nginx', '-c', `${NGINX_CONF_DIR}/nginx.conf`, '-g', 'daemon off;'],
    ports: [
      { name: 'http', containerPort: port, protocol: 'TCP' },
      ...(o.tls === undefined
        ? []
        : [{ name: 'https', containerPort: o.tls.port, protocol: 'TCP' }]),
      ...(o.metricsPort === false
        ? []
        : [{ name: 'metrics', containerPort: o.metricsPort, protocol: 'TCP' }]),
    ],
    resources: resourceRequirements(pod.resources),
    securityContext: securityContext(NGINX_UID),
    livenessProbe: httpProbe(o.healthPath, port, {
      periodSeconds: 10,
      timeoutSeconds: 5,
      failureThreshold: 6,
    }),
    readinessProbe: httpProbe(o.healthPath, port, {
      periodSeconds: 5,
      timeoutSeconds: 2,
      failureThreshold: 2,
    }),
    // The termination sequence's first step (see TerminationTimeline): the drain marker, so that
    // nginx answers `Connection: close` from now on, then serving on while load balancers
    // catch up; kubelet sends nginx its stop signal when the hook returns.
    // @see https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-termination
    lifecycle: { preStop: { exec: { command: drainHook(o, pod.loadBalancerLagSeconds) } } },
    volumeMounts: [
      { name: 'nginx-conf', mountPath: NGINX_CONF_DIR, readOnly: true },
      { name: 'nginx-tmp', mountPath: o.tempDir },
      { name: 'nginx-cache', mountPath: '/var/cache/nginx' },
      // The TLS Secret (volume `tls`), without subPath so that kubelet updates it in place.
      ...(o.tls === undefined
        ? []
        : [{ name: 'tls', mountPath: o.tls.certificateDir, readOnly: true }]),
    ],
  };
}

/** The nginx container's volumes: its ConfigMap and writable emptyDirs. */
export function nginxVolumes(meta: WorkloadMeta): k8s.Volume[] {
  return [
    { name: 'nginx-conf', configMap: { name: nginxConfigMapName(meta) } },
    { name: 'nginx-tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('64Mi') } },
    { name: 'nginx-cache', emptyDir: { sizeLimit: k8s.Quantity.fromString('16Mi') } },
  ];
}
