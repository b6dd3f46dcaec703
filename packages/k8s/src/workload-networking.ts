import { OPERATIONAL_ROUTES } from '@modelship/contract';
import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { commonLabels, selectorLabels } from './metadata.ts';
import { GOOGLE_LOAD_BALANCER_CIDRS, type NginxRealIpOptions } from './nginx-conf-options.ts';
import { objectNames } from './pod-template.ts';
import { assertCidr, assertInt, assertPort, fail, withDefaults } from './validate.ts';
import type { ResolvedModelSource } from './workload-model-source.ts';
import type {
  EgressOptions,
  InferenceWorkloadProps,
  IngressOptions,
  ServiceOptions,
} from './workload-props.ts';
import type { WorkloadSettings } from './workload-settings.ts';

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

/** The defaults of {@link IngressOptions} (`host` and `staticIpName` have none). */
export const INGRESS_DEFAULTS = {
  enabled: false,
  timeoutSeconds: 60,
} as const satisfies Required<Omit<IngressOptions, 'host' | 'staticIpName'>>;

/** {@link IngressOptions} with defaults applied. */
export type ResolvedIngress = Required<Omit<IngressOptions, 'host' | 'staticIpName'>> &
  Pick<IngressOptions, 'host' | 'staticIpName'>;

/** Applies the defaults of {@link IngressOptions} and validates them. */
export function resolveIngress(options: IngressOptions = {}): ResolvedIngress {
  const ingress: ResolvedIngress = withDefaults(INGRESS_DEFAULTS, options);
  assertInt('ingress.timeoutSeconds', ingress.timeoutSeconds, 1, 86400);
  if (ingress.host !== undefined && !/^(\*\.)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(ingress.host)) {
    fail('ingress.host', ingress.host, 'must be a DNS name');
  }
  return ingress;
}

/** The ServiceAccount annotation that binds the pods to a Google service account. */
export const WORKLOAD_IDENTITY_ANNOTATION = 'iam.gke.io/gcp-service-account';

/**
 * `egress` as switches; Workload Identity and a Cloud Storage model source turn on what they
 * need unless set false (the FUSE sidecar resolves and calls Google APIs with the pod's
 * Workload Identity Federation token).
 */
export function resolveEgress(
  props: Pick<InferenceWorkloadProps, 'egress' | 'serviceAccountAnnotations'>,
  modelSource: ResolvedModelSource = { source: 'image' },
): Required<EgressOptions> {
  const e = props.egress ?? 'none';
  const options: EgressOptions = e === 'none' ? {} : e === 'dns' ? { dns: true } : e;
  const workloadIdentity = props.serviceAccountAnnotations?.[WORKLOAD_IDENTITY_ANNOTATION];
  const gcs = modelSource.source === 'gcs';
  const needed = workloadIdentity !== undefined || gcs;
  return {
    dns: options.dns ?? needed,
    metadataServer: options.metadataServer ?? needed,
    googleApis: options.googleApis ?? gcs,
  };
}

/**
 * The request header through which the Ingress's load balancer passes the client's address
 * (a BackendConfig custom request header). Its `X-Forwarded-For` ends with the load balancer's
 * own address, which nginx cannot tell from a client's, so that header is not used.
 * @see https://cloud.google.com/load-balancing/docs/https/custom-headers#variables
 */
export const CLIENT_IP_HEADER = 'X-Client-Ip';

/**
 * nginx defaults that depend on the load balancers in front (props the user sets win):
 * - keep-alive: a passthrough Network Load Balancer leaves connections to the clients, so idle
 *   ones are closed after 75 s; the Ingress's Application Load Balancer keeps its own for 600 s,
 *   and nginx must not close them first (620 s);
 * - the client's address: a passthrough load balancer passes none in a header (nginx sees the
 *   client itself with `externalTrafficPolicy: Local`, a node with `Cluster`), so no header is
 *   trusted; behind the Ingress, {@link CLIENT_IP_HEADER} from Google's proxies only.
 */
export function loadBalancerNginxDefaults(ingress: ResolvedIngress): {
  readonly clientKeepaliveTimeoutSeconds: number;
  readonly realIp: NginxRealIpOptions | false;
} {
  return ingress.enabled
    ? {
        clientKeepaliveTimeoutSeconds: 620,
        realIp: { trustedCidrs: GOOGLE_LOAD_BALANCER_CIDRS, header: CLIENT_IP_HEADER },
      }
    : { clientKeepaliveTimeoutSeconds: 75, realIp: false };
}

/**
 * GKE's annotations for the chosen load balancer.
 * @see https://cloud.google.com/kubernetes-engine/docs/how-to/external-svc-lb-rbs
 * @see https://cloud.google.com/kubernetes-engine/docs/concepts/service-load-balancer-parameters
 * @see https://cloud.google.com/kubernetes-engine/docs/how-to/container-native-load-balancing
 */
function serviceAnnotations(s: WorkloadSettings): Record<string, string> {
  const annotations: Record<string, string> = {};
  if (s.service.type === 'LoadBalancer') {
    if (s.service.loadBalancer === 'internal') {
      // Internal passthrough load balancers are always backend-service-based.
      annotations['networking.gke.io/load-balancer-type'] = 'Internal';
    } else if (s.service.backendServiceBased) {
      annotations['cloud.google.com/l4-rbs'] = 'enabled';
    }
  }
  if (s.ingress.enabled) {
    annotations['cloud.google.com/neg'] = JSON.stringify({ ingress: true });
    annotations['cloud.google.com/backend-config'] = JSON.stringify({
      default: objectNames(s.name).backendConfig,
    });
  }
  return { ...annotations, ...s.service.annotations };
}

/** The Service: port `service.port` → nginx's named port `http` (8080). */
export function service(scope: Construct, s: WorkloadSettings): k8s.KubeService {
  const svc = s.service;
  const exposesNodes = svc.type === 'LoadBalancer' || svc.type === 'NodePort';
  return new k8s.KubeService(scope, 'service', {
    metadata: {
      name: s.name,
      namespace: s.namespace,
      labels: commonLabels(s),
      annotations: serviceAnnotations(s),
    },
    spec: {
      type: svc.type,
      selector: selectorLabels(s),
      ports: [
        {
          name: 'http',
          port: svc.port,
          targetPort: k8s.IntOrString.fromString('http'),
          protocol: 'TCP',
        },
      ],
      externalTrafficPolicy: exposesNodes ? svc.externalTrafficPolicy : undefined,
      loadBalancerSourceRanges: svc.loadBalancerSourceRanges
        ? [...svc.loadBalancerSourceRanges]
        : undefined,
    },
  });
}

/** NodeLocal DNSCache's link-local address. */
export const NODE_LOCAL_DNS_IP = '169.254.20.10';
/** The node's metadata server: Cloud DNS for GKE's resolver and, on port 80, the metadata API. */
export const METADATA_SERVER_IP = '169.254.169.254';
/** Where the GKE metadata server listens (port 988) once the Calico dataplane has translated the address. */
export const GKE_METADATA_SERVER_IP = '169.254.169.252';

const kubeSystemPods = (app: string): k8s.NetworkPolicyPeer => ({
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
  podSelector: { matchLabels: { 'k8s-app': app } },
});
const host = (ip: string): k8s.NetworkPolicyPeer => ({ ipBlock: { cidr: `${ip}/32` } });
const tcp = (port: number): k8s.NetworkPolicyPort => ({
  protocol: 'TCP',
  port: k8s.IntOrString.fromNumber(port),
});

/**
 * Egress rules for `egress`: DNS to every resolver a GKE pod may be given (kube-dns, NodeLocal
 * DNSCache, Cloud DNS) and the GKE metadata server at both addresses a policy may see it at.
 * See {@link EgressOptions} for which cluster uses which.
 * @see https://cloud.google.com/kubernetes-engine/docs/how-to/network-policy
 */
export function egressRules(s: WorkloadSettings): k8s.NetworkPolicyEgressRule[] {
  const rules: k8s.NetworkPolicyEgressRule[] = [];
  if (s.egress.dns) {
    rules.push({
      to: [
        kubeSystemPods('kube-dns'),
        kubeSystemPods('node-local-dns'),
        host(NODE_LOCAL_DNS_IP),
        host(METADATA_SERVER_IP),
      ],
      ports: [{ protocol: 'UDP', port: k8s.IntOrString.fromNumber(53) }, tcp(53)],
    });
  }
  if (s.egress.metadataServer) {
    rules.push(
      { to: [host(METADATA_SERVER_IP)], ports: [tcp(80)] },
      { to: [host(GKE_METADATA_SERVER_IP)], ports: [tcp(988)] },
    );
  }
  if (s.egress.googleApis) {
    const cidrs = s.modelSource.source === 'gcs' ? s.modelSource.googleApisCidrs : undefined;
    // No `to`: any address on 443 (Google APIs have no fixed public range a policy could name).
    rules.push({
      ...(cidrs ? { to: cidrs.map((cidr) => ({ ipBlock: { cidr } })) } : {}),
      ports: [tcp(443)],
    });
  }
  return rules;
}

/**
 * The NetworkPolicy: ingress to nginx's port (from anywhere: the load balancer preserves
 * client addresses) and to the metrics port from the scrapers' namespaces only; egress denied
 * but for {@link egressRules}. The service needs no egress: the model is baked into the image
 * (or read from a Cloud Storage mount, whose FUSE sidecar is what calls Google APIs) and nginx
 * reaches the service over loopback, which policies do not filter.
 * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
 */
export function networkPolicy(scope: Construct, s: WorkloadSettings): k8s.KubeNetworkPolicy {
  return new k8s.KubeNetworkPolicy(scope, 'network-policy', {
    metadata: { name: s.name, namespace: s.namespace, labels: commonLabels(s) },
    spec: {
      podSelector: { matchLabels: selectorLabels(s) },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        { ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(s.nginx.listenPort) }] },
        ...(s.nginx.metricsPort === false
          ? []
          : [
              {
                from: s.metrics.scraperNamespaces.map((namespace) => ({
                  namespaceSelector: {
                    matchLabels: { 'kubernetes.io/metadata.name': namespace },
                  },
                })),
                ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(s.nginx.metricsPort) }],
              },
            ]),
      ],
      egress: egressRules(s),
    },
  });
}

/** The part of GKE's BackendConfig (cloud.google.com/v1) this construct sets. */
export interface BackendConfigSpec {
  readonly timeoutSec: number;
  readonly connectionDraining: { readonly drainingTimeoutSec: number };
  readonly customRequestHeaders?: { readonly headers: readonly string[] };
  readonly healthCheck: {
    readonly type: 'HTTP';
    readonly requestPath: string;
    readonly port: number;
    readonly checkIntervalSec: number;
    readonly timeoutSec: number;
    readonly healthyThreshold: number;
    readonly unhealthyThreshold: number;
  };
}

/**
 * The optional GKE Ingress (external Application Load Balancer) with container-native load
 * balancing, and the BackendConfig whose health check uses the readiness path.
 * @see https://cloud.google.com/kubernetes-engine/docs/how-to/ingress-configuration#configuring_ingress_features_through_backendconfig_parameters
 */
export function gkeIngress(
  scope: Construct,
  s: WorkloadSettings,
): { ingress: k8s.KubeIngress; backendConfig: ApiObject } {
  const names = objectNames(s.name);
  const spec: BackendConfigSpec = {
    timeoutSec: s.ingress.timeoutSeconds,
    // Existing connections may finish for as long as the pod serves (until the service's delay
    // ends, after nginx has stopped); nginx closes them sooner with `Connection: close`.
    connectionDraining: { drainingTimeoutSec: s.termination.serviceDelaySeconds },
    // The client's address for nginx's real-IP module (X-Forwarded-For ends with the load
    // balancer's own address).
    ...(s.nginx.realIp !== false && s.nginx.realIp.header === CLIENT_IP_HEADER
      ? { customRequestHeaders: { headers: [`${CLIENT_IP_HEADER}:{client_ip_address}`] } }
      : {}),
    healthCheck: {
      type: 'HTTP',
      requestPath: OPERATIONAL_ROUTES.ready,
      port: s.nginx.listenPort,
      checkIntervalSec: 5,
      timeoutSec: 3,
      healthyThreshold: 1,
      unhealthyThreshold: 2,
    },
  };
  const backendConfig = new ApiObject(scope, 'backend-config', {
    apiVersion: 'cloud.google.com/v1',
    kind: 'BackendConfig',
    metadata: { name: names.backendConfig, namespace: s.namespace, labels: commonLabels(s) },
    spec,
  });
  const backend: k8s.IngressBackend = {
    service: { name: s.name, port: { number: s.service.port } },
  };
  const ingress = new k8s.KubeIngress(scope, 'ingress', {
    metadata: {
      name: s.name,
      namespace: s.namespace,
      labels: commonLabels(s),
      annotations: {
        'kubernetes.io/ingress.class': 'gce',
        ...(s.ingress.staticIpName
          ? { 'kubernetes.io/ingress.global-static-ip-name': s.ingress.staticIpName }
          : {}),
      },
    },
    spec:
      s.ingress.host === undefined
        ? { defaultBackend: backend }
        : {
            rules: [
              {
                host: s.ingress.host,
                http: { paths: [{ path: '/', pathType: 'Prefix', backend }] },
              },
            ],
          },
  });
  return { ingress, backendConfig };
}
