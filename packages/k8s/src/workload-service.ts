import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { objectMeta, type WorkloadMeta } from './metadata.ts';
import { assertCidr, assertPort, fail, withDefaults } from './validate.ts';
import { HTTPS_SERVICE_PORT } from './workload-tls.ts';

/** The Service that exposes nginx. */
export interface ServiceOptions {
  /** @default 'LoadBalancer' */
  readonly type?: 'LoadBalancer' | 'ClusterIP' | 'NodePort';
  /** Port the Service listens on. @default 80 */
  readonly port?: number;
  /**
   * For `LoadBalancer`: an internet-facing (`external`) or VPC-internal (`internal`) load balancer.
   * @default 'external'
   */
  readonly loadBalancer?: 'external' | 'internal';
  /**
   * Ask GKE for a backend-service-based passthrough Network Load Balancer
   * (`cloud.google.com/l4-rbs`) for an external load balancer.
   * @default true
   */
  readonly backendServiceBased?: boolean;
  /**
   * `Cluster` (the default) lets every node forward to any ready pod, so a node whose last pod
   * is terminating never drops a new connection, and the load balancer's health checks and
   * node drains need nothing from the pod; nginx then sees a node's address (SNAT), not the
   * client's. `Local` keeps the client's source IP and avoids a hop, but such a node keeps
   * receiving new connections until the load balancer's node health check fails; kube-proxy
   * sends them to a terminating pod only while it is ready, so with `Local` the construct keeps
   * the service ready through its delay (`SHUTDOWN_READINESS=keep`) and defaults
   * `termination.loadBalancerLagSeconds` to 30. nginx's per-address limits need the client's
   * address: on the passthrough path they are on by default with `Local` and refused with `Cluster`.
   * @see https://kubernetes.io/docs/tutorials/services/pods-and-endpoint-termination-flow/
   * @see https://kubernetes.io/docs/tasks/access-application-cluster/create-external-load-balancer/#preserving-the-client-source-ip
   * @default 'Cluster'
   */
  readonly externalTrafficPolicy?: 'Local' | 'Cluster';
  /** Client CIDRs allowed through the load balancer. @default undefined (all) */
  readonly loadBalancerSourceRanges?: readonly string[];
  /** Extra annotations on the Service. @default {} */
  readonly annotations?: Readonly<Record<string, string>>;
}

/** The defaults of {@link ServiceOptions} (`loadBalancerSourceRanges` has none: all clients). */
export const SERVICE_DEFAULTS = {
  type: 'LoadBalancer',
  port: 80,
  loadBalancer: 'external',
  backendServiceBased: true,
  externalTrafficPolicy: 'Cluster',
  annotations: {},
} as const satisfies Required<Omit<ServiceOptions, 'loadBalancerSourceRanges'>>;

/** {@link ServiceOptions} with defaults applied. */
export type ResolvedService = Required<Omit<ServiceOptions, 'loadBalancerSourceRanges'>> &
  Pick<ServiceOptions, 'loadBalancerSourceRanges'>;

/** Applies the defaults of {@link ServiceOptions} and validates them. */
export function resolveService(options: ServiceOptions = {}): ResolvedService {
  const svc: ResolvedService = withDefaults(SERVICE_DEFAULTS, options);
  assertPort('service.port', svc.port);
  if (svc.port === HTTPS_SERVICE_PORT) {
    fail('service.port', svc.port, `is the HTTPS port; plain HTTP needs another (80)`);
  }
  svc.loadBalancerSourceRanges?.forEach((cidr, index) => {
    assertCidr(`service.loadBalancerSourceRanges[${index}]`, cidr);
  });
  if (svc.loadBalancerSourceRanges && svc.type !== 'LoadBalancer') {
    fail(
      'service.loadBalancerSourceRanges',
      svc.loadBalancerSourceRanges.join(','),
      "requires 'service.type' LoadBalancer",
    );
  }
  return svc;
}

/**
 * GKE's annotations for the chosen load balancer, then `extra` (what an Ingress in front asks
 * for), then the user's.
 * @see https://cloud.google.com/kubernetes-engine/docs/how-to/external-svc-lb-rbs
 * @see https://cloud.google.com/kubernetes-engine/docs/concepts/service-load-balancer-parameters
 */
function serviceAnnotations(
  svc: ResolvedService,
  extra: Readonly<Record<string, string>>,
): Record<string, string> {
  const annotations: Record<string, string> = {};
  if (svc.type === 'LoadBalancer') {
    if (svc.loadBalancer === 'internal') {
      // Internal passthrough load balancers are always backend-service-based.
      annotations['networking.gke.io/load-balancer-type'] = 'Internal';
    } else if (svc.backendServiceBased) {
      annotations['cloud.google.com/l4-rbs'] = 'enabled';
    }
  }
  return { ...annotations, ...extra, ...svc.annotations };
}

/**
 * The Service: port `service.port` → nginx's named port `http` (8080) and, with TLS, 443 →
 * nginx's `https` (8443; the plain port then redirects to it).
 */
export function service(
  scope: Construct,
  meta: WorkloadMeta,
  svc: ResolvedService,
  extraAnnotations: Readonly<Record<string, string>> = {},
  tls = false,
): k8s.KubeService {
  const exposesNodes = svc.type === 'LoadBalancer' || svc.type === 'NodePort';
  return new k8s.KubeService(scope, 'service', {
    metadata: { ...objectMeta(meta), annotations: serviceAnnotations(svc, extraAnnotations) },
    spec: {
      type: svc.type,
      selector: { ...meta.selector },
      ports: [
        {
          name: 'http',
          port: svc.port,
          targetPort: k8s.IntOrString.fromString('http'),
          protocol: 'TCP',
        },
        ...(tls
          ? [
              {
                name: 'https',
                port: HTTPS_SERVICE_PORT,
                targetPort: k8s.IntOrString.fromString('https'),
                protocol: 'TCP',
              },
            ]
          : []),
      ],
      externalTrafficPolicy: exposesNodes ? svc.externalTrafficPolicy : undefined,
      loadBalancerSourceRanges: svc.loadBalancerSourceRanges
        ? [...svc.loadBalancerSourceRanges]
        : undefined,
    },
  });
}
