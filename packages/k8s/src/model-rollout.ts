import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { InferenceWorkload } from './inference-workload.ts';
import { objectMeta } from './metadata.ts';
import { type GatewayIapOptions, gatewayPolicies, resolveGatewayIap } from './rollout-policies.ts';
import { assertDnsLabel, assertInt, fail } from './validate.ts';
import type { InferenceWorkloadProps } from './workload-settings.ts';
import { assertDnsSubdomain } from './workload-tls.ts';

/** The GKE gateway classes a rollout may use (external Application Load Balancers). */
export const ROLLOUT_GATEWAY_CLASSES = [
  'gke-l7-global-external-managed',
  'gke-l7-regional-external-managed',
] as const;
export type RolloutGatewayClass = (typeof ROLLOUT_GATEWAY_CLASSES)[number];

/** How a rollout sends requests to the candidate: a weighted share, or a mirror of each. */
export const ROLLOUT_MODES = ['canary', 'shadow'] as const;

/** Props of {@link ModelRollout}. */
export interface ModelRolloutProps {
  /**
   * `canary`: the route splits requests by weight between stable and candidate; `shadow`: every
   * request goes to stable and is mirrored to the candidate, whose answers nobody receives.
   * @default 'canary'
   */
  readonly mode?: 'canary' | 'shadow';
  /** The candidate's share of the requests in `canary` mode, 0..100 (stable gets the rest). @default 10 */
  readonly candidateWeightPercent?: number;
  /** The GKE gateway class of the Gateway. @default 'gke-l7-global-external-managed' */
  readonly gatewayClassName?: RolloutGatewayClass;
  /** The Gateway's and HTTPRoute's name. @default `<stable name>` */
  readonly routeName?: string;
  /** Host names the route answers for. @default undefined (any) */
  readonly hostnames?: readonly string[];
  /**
   * HTTPS on the Gateway (port 443), with port 80 redirecting to it: a Certificate Manager
   * certificate map (`networking.gke.io/certmap`; global gateway class only) or a
   * `kubernetes.io/tls` Secret in the namespace; `false` serves plain HTTP on 80, only when
   * asked for.
   * @see https://cloud.google.com/kubernetes-engine/docs/how-to/secure-gateway
   * @default undefined (required)
   */
  readonly tls: GatewayTls | false;
  /**
   * The live workload. Its Service must be ClusterIP (the default here) and it has no Ingress:
   * the Gateway is the only entrance. @default name 'inference'
   */
  readonly stable: InferenceWorkloadProps;
  /** The candidate workload (its own image and model). @default name `<stable name>-candidate` */
  readonly candidate: InferenceWorkloadProps;
  /**
   * Identity-Aware Proxy on both Services' backend services (GCPBackendPolicy `iap`), for
   * people rather than programs. Needs `tls`; an alternative to `apiKeys` (not both).
   * @see https://cloud.google.com/iap/docs/enabling-kubernetes-howto
   * @default undefined (off)
   */
  readonly iap?: GatewayIapOptions;
}

/** Where the Gateway's certificate comes from. */
export type GatewayTls =
  | { readonly certificateMap: string; readonly secretName?: never }
  | { readonly secretName: string; readonly certificateMap?: never };

/** The defaults of {@link ModelRolloutProps}. */
export const MODEL_ROLLOUT_DEFAULTS = {
  mode: 'canary',
  candidateWeightPercent: 10,
  gatewayClassName: 'gke-l7-global-external-managed',
} as const satisfies Required<
  Pick<ModelRolloutProps, 'mode' | 'candidateWeightPercent' | 'gatewayClassName'>
>;

/**
 * nginx's keep-alive behind the Gateway's Application Load Balancer: longer than the load
 * balancer's own 600 s, so that nginx never closes a connection the proxy is about to reuse.
 */
const GATEWAY_KEEPALIVE_SECONDS = 620;

/**
 * A shadow candidate's payload-log sample unless set: every mirrored request and its answer is
 * logged (the logger is bounded: lines stdout cannot take are dropped and counted), since
 * nobody else sees them.
 */
const SHADOW_PAYLOAD_LOG_SAMPLE = 1;

/**
 * One workload's props behind the Gateway: ClusterIP, no Ingress, nginx keep-alive for the
 * proxy; a shadow candidate logs its answers.
 */
function behindGateway(
  role: 'stable' | 'candidate',
  props: InferenceWorkloadProps,
  name: string,
  mode: 'canary' | 'shadow',
): InferenceWorkloadProps {
  const type = props.service?.type ?? 'ClusterIP';
  if (type !== 'ClusterIP') {
    fail(`${role}.service.type`, type, 'must be ClusterIP behind the Gateway');
  }
  if (props.ingress?.enabled) {
    fail(`${role}.ingress.enabled`, true, 'must be false: the Gateway is the entrance');
  }
  return {
    ...props,
    name,
    service: { ...props.service, type: 'ClusterIP' },
    ...(role === 'candidate' && mode === 'shadow'
      ? {
          inference: {
            ...props.inference,
            payloadLogSample: props.inference?.payloadLogSample ?? SHADOW_PAYLOAD_LOG_SAMPLE,
          },
        }
      : {}),
    nginx: {
      ...props.nginx,
      clientKeepaliveTimeoutSeconds:
        props.nginx?.clientKeepaliveTimeoutSeconds ?? GATEWAY_KEEPALIVE_SECONDS,
    },
    // The Gateway reaches the pods through NEGs: the termination timeline allows for its lag.
    termination: {
      ...props.termination,
      containerNativeLoadBalancing: props.termination?.containerNativeLoadBalancing ?? true,
    },
  };
}

/**
 * A stable and a candidate {@link InferenceWorkload} (each with its own Deployment and ClusterIP
 * Service) behind one GKE Gateway: a Gateway API `HTTPRoute` splits requests by weight (canary)
 * or sends them all to stable and mirrors them to the candidate (shadow; the candidate's answers
 * are dropped by the load balancer; it logs every one by default, `PAYLOAD_LOG_SAMPLE=1`). Each Service
 * gets a GKE `HealthCheckPolicy` that checks nginx's port at `/readyz`, so a pod takes requests
 * from the load balancer only once its model is loaded, and a `GCPBackendPolicy` whose
 * connection draining and backend timeout follow the workload's termination timeline and
 * nginx's `proxy_read_timeout` (without one, the backend service drains nothing and times out
 * after 30 s). With `iap`, both GCPBackendPolicies turn on Identity-Aware Proxy.
 *
 * @example
 * new ModelRollout(chart, 'rollout', {
 *   mode: 'canary',
 *   candidateWeightPercent: 10,
 *   stable: { image: 'acme/inference:1.0.0', model: { name: 'm', version: '1' } },
 *   candidate: { image: 'acme/inference:1.1.0', model: { name: 'm', version: '2' } },
 *   tls: { certificateMap: 'inference-certs' },
 * });
 * @see https://gateway-api.sigs.k8s.io/reference/spec/#httproute
 * @see https://gateway-api.sigs.k8s.io/guides/traffic-splitting/
 * @see https://gateway-api.sigs.k8s.io/guides/http-request-mirroring/
 * @see https://cloud.google.com/kubernetes-engine/docs/concepts/gateway-api
 * @see https://cloud.google.com/kubernetes-engine/docs/how-to/deploying-gateways
 * @see https://cloud.google.com/kubernetes-engine/docs/how-to/configure-gateway-resources#configure_health_check
 * @see https://cloud.google.com/kubernetes-engine/docs/how-to/configure-gateway-resources#configure_connection_draining
 */
export class ModelRollout extends Construct {
  /** `canary` or `shadow`. */
  public readonly mode: 'canary' | 'shadow';
  /** The candidate's share in canary mode (0 in shadow mode: it answers nobody). */
  public readonly candidateWeightPercent: number;
  /** The Gateway's class. */
  public readonly gatewayClassName: RolloutGatewayClass;
  /** The live workload. */
  public readonly stable: InferenceWorkload;
  /** The candidate workload. */
  public readonly candidate: InferenceWorkload;
  /** The Gateway (gateway.networking.k8s.io/v1). */
  public readonly gateway: ApiObject;
  /** The HTTPRoute (gateway.networking.k8s.io/v1). */
  public readonly httpRoute: ApiObject;
  /** With `tls`: the HTTPRoute on the HTTP listener that redirects to HTTPS. */
  public readonly redirectRoute?: ApiObject;
  /** One HealthCheckPolicy (networking.gke.io/v1) per Service: stable's, then the candidate's. */
  public readonly healthCheckPolicies: readonly ApiObject[];
  /** One GCPBackendPolicy (networking.gke.io/v1) per Service: stable's, then the candidate's. */
  public readonly backendPolicies: readonly ApiObject[];

  constructor(scope: Construct, id: string, props: ModelRolloutProps) {
    super(scope, id);
    this.mode = props.mode ?? MODEL_ROLLOUT_DEFAULTS.mode;
    if (!ROLLOUT_MODES.includes(this.mode)) {
      fail('mode', this.mode, "must be 'canary' or 'shadow'");
    }
    const weight = props.candidateWeightPercent;
    if (this.mode === 'shadow' && weight !== undefined) {
      fail('candidateWeightPercent', weight, "applies to mode 'canary' only");
    }
    this.candidateWeightPercent =
      this.mode === 'shadow' ? 0 : (weight ?? MODEL_ROLLOUT_DEFAULTS.candidateWeightPercent);
    assertInt('candidateWeightPercent', this.candidateWeightPercent, 0, 100);
    this.gatewayClassName = props.gatewayClassName ?? MODEL_ROLLOUT_DEFAULTS.gatewayClassName;
    if (!ROLLOUT_GATEWAY_CLASSES.includes(this.gatewayClassName)) {
      fail(
        'gatewayClassName',
        this.gatewayClassName,
        `must be one of ${ROLLOUT_GATEWAY_CLASSES.join(', ')}`,
      );
    }
    if (props.stable.namespace !== props.candidate.namespace) {
      fail(
        'candidate.namespace',
        props.candidate.namespace,
        `must be the stable workload's (${props.stable.namespace}): the route and the policies name both Services`,
      );
    }
    const stableName = props.stable.name ?? 'inference';
    const candidateName = props.candidate.name ?? `${stableName}-candidate`;
    if (candidateName === stableName) {
      fail('candidate.name', candidateName, "must differ from the stable workload's name");
    }
    const routeName = props.routeName ?? stableName;
    assertDnsLabel('routeName', routeName);
    props.hostnames?.forEach((host, index) => {
      if (!/^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(host)) {
        fail(`hostnames[${index}]`, host, 'must be a DNS name');
      }
    });

    const tls = props.tls;
    if (tls === undefined) {
      fail(
        'tls',
        tls,
        '{ certificateMap } or { secretName } for HTTPS, or false for plain HTTP, must be set',
      );
    }
    if (tls !== false) {
      if (tls.certificateMap !== undefined) {
        assertDnsLabel('tls.certificateMap', tls.certificateMap);
        if (this.gatewayClassName !== 'gke-l7-global-external-managed') {
          fail(
            'tls.certificateMap',
            tls.certificateMap,
            'needs the gatewayClassName gke-l7-global-external-managed',
          );
        }
      } else {
        assertDnsSubdomain('tls.secretName', tls.secretName);
      }
    }

    const iap = resolveGatewayIap(props.iap, {
      tls: tls !== false,
      apiKeys: (['stable', 'candidate'] as const).filter((role) => props[role].apiKeys),
    });

    this.stable = new InferenceWorkload(
      this,
      'stable',
      behindGateway('stable', props.stable, stableName, this.mode),
    );
    this.candidate = new InferenceWorkload(
      this,
      'candidate',
      behindGateway('candidate', props.candidate, candidateName, this.mode),
    );
    const ref = (w: InferenceWorkload) => ({
      kind: 'Service',
      name: w.settings.name,
      port: w.settings.service.port,
    });

    this.gateway = new ApiObject(this, 'gateway', {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: {
        ...objectMeta(this.stable.settings.meta, routeName),
        ...(tls && tls.certificateMap !== undefined
          ? { annotations: { 'networking.gke.io/certmap': tls.certificateMap } }
          : {}),
      },
      spec: {
        gatewayClassName: this.gatewayClassName,
        listeners: [
          {
            name: 'http',
            protocol: 'HTTP',
            port: 80,
            allowedRoutes: { namespaces: { from: 'Same' } },
          },
          ...(tls === false
            ? []
            : [
                {
                  name: 'https',
                  protocol: 'HTTPS',
                  port: 443,
                  // A certificate map needs no `tls` here: the annotation names it.
                  ...(tls.secretName === undefined
                    ? {}
                    : {
                        tls: {
                          mode: 'Terminate',
                          certificateRefs: [{ kind: 'Secret', name: tls.secretName }],
                        },
                      }),
                  allowedRoutes: { namespaces: { from: 'Same' } },
                },
              ]),
        ],
      },
    });

    const rule =
      this.mode === 'canary'
        ? {
            backendRefs: [
              { ...ref(this.stable), weight: 100 - this.candidateWeightPercent },
              { ...ref(this.candidate), weight: this.candidateWeightPercent },
            ],
          }
        : {
            // The load balancer sends a copy of each request to the candidate and drops its
            // answer; the client gets stable's.
            filters: [
              { type: 'RequestMirror', requestMirror: { backendRef: ref(this.candidate) } },
            ],
            backendRefs: [ref(this.stable)],
          };
    this.httpRoute = new ApiObject(this, 'http-route', {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: objectMeta(this.stable.settings.meta, routeName),
      spec: {
        parentRefs: [
          { kind: 'Gateway', name: routeName, ...(tls === false ? {} : { sectionName: 'https' }) },
        ],
        ...(props.hostnames ? { hostnames: [...props.hostnames] } : {}),
        rules: [rule],
      },
    });
    if (tls !== false) {
      // Plain HTTP only redirects; 301 is the permanent code every Gateway implementation supports.
      this.redirectRoute = new ApiObject(this, 'redirect-route', {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: objectMeta(this.stable.settings.meta, `${routeName}-redirect`),
        spec: {
          parentRefs: [{ kind: 'Gateway', name: routeName, sectionName: 'http' }],
          ...(props.hostnames ? { hostnames: [...props.hostnames] } : {}),
          rules: [
            {
              filters: [
                { type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } },
              ],
            },
          ],
        },
      });
    }

    const policies = gatewayPolicies([this.stable, this.candidate], iap);
    this.healthCheckPolicies = policies.healthCheckPolicies;
    this.backendPolicies = policies.backendPolicies;
  }
}
