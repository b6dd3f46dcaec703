import { OPERATIONAL_ROUTES } from '@modelship/contract';
import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { objectMeta, type WorkloadMeta } from './metadata.ts';
import { GOOGLE_LOAD_BALANCER_CIDRS, type NginxRealIpOptions } from './nginx-conf-options.ts';
import { assertDnsLabel, assertInt, fail, withDefaults } from './validate.ts';
import { assertDnsSubdomain } from './workload-tls.ts';

/** An optional GKE Ingress (HTTP(S) load balancer) with container-native load balancing. */
export interface IngressOptions {
  /** @default false */
  readonly enabled?: boolean;
  /** Host the Ingress answers for. @default undefined (any host) */
  readonly host?: string;
  /** Name of a reserved global static IP (`kubernetes.io/ingress.global-static-ip-name`). @default undefined */
  readonly staticIpName?: string;
  /** Backend-service timeout in seconds (the load balancer's response timeout). @default 60 */
  readonly timeoutSeconds?: number;
  /**
   * HTTPS on the load balancer: a Google-managed certificate for `domains` and a FrontendConfig
   * that redirects HTTP to HTTPS (308) with an SSL policy; `false` serves plain HTTP. Required
   * when `enabled` (plain HTTP must be asked for).
   * @default undefined (required when enabled)
   */
  readonly tls?: IngressTlsOptions | false;
  /**
   * Identity-Aware Proxy, for people rather than programs: the load balancer signs users in
   * with Google and lets through only those granted `roles/iap.httpsResourceAccessor` (IAP-secured
   * Web App User). The OAuth client's id and secret come from a Secret (`client_id`,
   * `client_secret`). Needs `tls`; an alternative to `apiKeys` (not both).
   * @see https://cloud.google.com/iap/docs/enabling-kubernetes-howto
   * @default undefined (off)
   */
  readonly iap?: IngressIapOptions;
}

/** Identity-Aware Proxy on the Ingress's backend. */
export interface IngressIapOptions {
  /** The Secret holding the OAuth client's `client_id` and `client_secret`. */
  readonly oauthClientSecretName: string;
}

/** The Ingress's certificate and TLS settings. */
export interface IngressTlsOptions {
  /**
   * DNS names the Google-managed certificate covers (1 to 100, no wildcards); each needs a DNS
   * record pointing at the Ingress's address before the certificate turns Active.
   * @see https://cloud.google.com/kubernetes-engine/docs/how-to/managed-certs
   */
  readonly domains: readonly string[];
  /**
   * A Compute Engine SSL policy's name (`gcloud compute ssl-policies create NAME --profile
   * MODERN --min-tls-version 1.2`), or none for Google's default (which still allows TLS 1.0).
   * @see https://cloud.google.com/load-balancing/docs/ssl-policies-concepts
   * @default undefined
   */
  readonly sslPolicy?: string;
}

/** The defaults of {@link IngressOptions} (`host` and `staticIpName` have none). */
export const INGRESS_DEFAULTS = {
  enabled: false,
  timeoutSeconds: 60,
} as const satisfies Required<Omit<IngressOptions, 'host' | 'staticIpName' | 'tls' | 'iap'>>;

/** {@link IngressOptions} with defaults applied. */
export type ResolvedIngress = Required<
  Omit<IngressOptions, 'host' | 'staticIpName' | 'tls' | 'iap'>
> &
  Pick<IngressOptions, 'host' | 'staticIpName' | 'iap'> & {
    readonly tls: IngressTlsOptions | false;
  };

/** Applies the defaults of {@link IngressOptions} and validates them. */
export function resolveIngress(options: IngressOptions = {}): ResolvedIngress {
  const ingress: ResolvedIngress = {
    ...withDefaults(INGRESS_DEFAULTS, options),
    tls: options.tls ?? false,
  };
  assertInt('ingress.timeoutSeconds', ingress.timeoutSeconds, 1, 86400);
  if (ingress.host !== undefined && !/^(\*\.)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(ingress.host)) {
    fail('ingress.host', ingress.host, 'must be a DNS name');
  }
  const tls = options.tls;
  if (ingress.enabled && tls === undefined) {
    fail(
      'ingress.tls',
      tls,
      'must be set when the Ingress is enabled: { domains } for HTTPS with a Google-managed certificate, or false for plain HTTP',
    );
  }
  if (tls) {
    if (tls.domains.length < 1 || tls.domains.length > 100) {
      fail('ingress.tls.domains', tls.domains.join(','), 'must hold 1 to 100 DNS names');
    }
    tls.domains.forEach((domain, index) => {
      assertDnsSubdomain(`ingress.tls.domains[${index}]`, domain);
      if (!domain.includes('.'))
        fail(`ingress.tls.domains[${index}]`, domain, 'must be a fully qualified DNS name');
    });
    if (ingress.host !== undefined && !tls.domains.includes(ingress.host)) {
      fail(
        'ingress.host',
        ingress.host,
        "must be one of 'ingress.tls.domains' (the certificate covers those)",
      );
    }
    if (tls.sslPolicy !== undefined) assertDnsLabel('ingress.tls.sslPolicy', tls.sslPolicy);
  }
  if (ingress.iap !== undefined) {
    assertDnsSubdomain('ingress.iap.oauthClientSecretName', ingress.iap.oauthClientSecretName);
    if (!tls) fail('ingress.iap', 'set', "needs 'ingress.tls' (IAP serves HTTPS only)");
  }
  return ingress;
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

/** The ManagedCertificate's name. */
export const managedCertificateName = (meta: WorkloadMeta): string => `${meta.name}-cert`;
/** The FrontendConfig's name. */
export const frontendConfigName = (meta: WorkloadMeta): string => `${meta.name}-frontend`;

/**
 * HTTPS on the Ingress: the Google-managed certificate (networking.gke.io/v1) and the
 * FrontendConfig (networking.gke.io/v1beta1) redirecting HTTP with 308, so a POST stays a POST.
 * @see https://cloud.google.com/kubernetes-engine/docs/how-to/managed-certs
 * @see https://cloud.google.com/kubernetes-engine/docs/how-to/ingress-configuration#https_redirect
 */
function ingressTls(
  scope: Construct,
  meta: WorkloadMeta,
  tls: IngressTlsOptions,
): {
  managedCertificate: ApiObject;
  frontendConfig: ApiObject;
  annotations: Record<string, string>;
} {
  const managedCertificate = new ApiObject(scope, 'managed-certificate', {
    apiVersion: 'networking.gke.io/v1',
    kind: 'ManagedCertificate',
    metadata: objectMeta(meta, managedCertificateName(meta)),
    spec: { domains: [...tls.domains] },
  });
  const frontendConfig = new ApiObject(scope, 'frontend-config', {
    apiVersion: 'networking.gke.io/v1beta1',
    kind: 'FrontendConfig',
    metadata: objectMeta(meta, frontendConfigName(meta)),
    spec: {
      redirectToHttps: { enabled: true, responseCodeName: 'PERMANENT_REDIRECT' },
      ...(tls.sslPolicy === undefined ? {} : { sslPolicy: tls.sslPolicy }),
    },
  });
  return {
    managedCertificate,
    frontendConfig,
    annotations: {
      'networking.gke.io/managed-certificates': managedCertificateName(meta),
      'networking.gke.io/v1beta1.FrontendConfig': frontendConfigName(meta),
    },
  };
}

/** The BackendConfig's name. */
export const backendConfigName = (meta: WorkloadMeta): string => `${meta.name}-backendconfig`;

/**
 * What the Ingress asks of the Service: container-native load balancing (NEGs) and the
 * BackendConfig.
 * @see https://cloud.google.com/kubernetes-engine/docs/how-to/container-native-load-balancing
 */
export function ingressServiceAnnotations(
  meta: WorkloadMeta,
  ingress: ResolvedIngress,
): Record<string, string> {
  if (!ingress.enabled) return {};
  return {
    'cloud.google.com/neg': JSON.stringify({ ingress: true }),
    'cloud.google.com/backend-config': JSON.stringify({ default: backendConfigName(meta) }),
  };
}

/** What the Ingress's backend needs from the other sections. */
export interface IngressBackend {
  /** The Service's port. */
  readonly servicePort: number;
  /** nginx's port, where the health check goes. */
  readonly nginxPort: number;
  /** How long a terminating pod still serves (the connection draining). */
  readonly servingSeconds: number;
  /** Whether nginx reads the client's address from {@link CLIENT_IP_HEADER}. */
  readonly clientIpHeader: boolean;
}

/** The part of GKE's BackendConfig (cloud.google.com/v1) this construct sets. */
export interface BackendConfigSpec {
  readonly timeoutSec: number;
  readonly connectionDraining: { readonly drainingTimeoutSec: number };
  readonly customRequestHeaders?: { readonly headers: readonly string[] };
  readonly iap?: {
    readonly enabled: true;
    readonly oauthclientCredentials: { readonly secretName: string };
  };
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
 * balancing, the BackendConfig whose health check uses the readiness path and, with
 * `ingress.tls`, the ManagedCertificate and FrontendConfig.
 * @see https://cloud.google.com/kubernetes-engine/docs/how-to/ingress-configuration#configuring_ingress_features_through_backendconfig_parameters
 */
export function gkeIngress(
  scope: Construct,
  meta: WorkloadMeta,
  ingress: ResolvedIngress,
  backend: IngressBackend,
): {
  ingress: k8s.KubeIngress;
  backendConfig: ApiObject;
  managedCertificate?: ApiObject;
  frontendConfig?: ApiObject;
} {
  const spec: BackendConfigSpec = {
    timeoutSec: ingress.timeoutSeconds,
    // Existing connections may finish for as long as the pod serves (until the service's delay
    // ends, after nginx has stopped); nginx closes them sooner with `Connection: close`.
    connectionDraining: { drainingTimeoutSec: backend.servingSeconds },
    // The client's address for nginx's real-IP module (X-Forwarded-For ends with the load
    // balancer's own address).
    ...(backend.clientIpHeader
      ? { customRequestHeaders: { headers: [`${CLIENT_IP_HEADER}:{client_ip_address}`] } }
      : {}),
    ...(ingress.iap === undefined
      ? {}
      : {
          iap: {
            enabled: true,
            oauthclientCredentials: { secretName: ingress.iap.oauthClientSecretName },
          },
        }),
    healthCheck: {
      type: 'HTTP',
      requestPath: OPERATIONAL_ROUTES.ready,
      port: backend.nginxPort,
      checkIntervalSec: 5,
      timeoutSec: 3,
      healthyThreshold: 1,
      unhealthyThreshold: 2,
    },
  };
  const backendConfig = new ApiObject(scope, 'backend-config', {
    apiVersion: 'cloud.google.com/v1',
    kind: 'BackendConfig',
    metadata: objectMeta(meta, backendConfigName(meta)),
    spec,
  });
  const target: k8s.IngressBackend = {
    service: { name: meta.name, port: { number: backend.servicePort } },
  };
  const tls = ingress.tls === false ? undefined : ingressTls(scope, meta, ingress.tls);
  const kubeIngress = new k8s.KubeIngress(scope, 'ingress', {
    metadata: {
      ...objectMeta(meta),
      annotations: {
        'kubernetes.io/ingress.class': 'gce',
        ...(ingress.staticIpName
          ? { 'kubernetes.io/ingress.global-static-ip-name': ingress.staticIpName }
          : {}),
        ...tls?.annotations,
      },
    },
    spec:
      ingress.host === undefined
        ? { defaultBackend: target }
        : {
            rules: [
              {
                host: ingress.host,
                http: { paths: [{ path: '/', pathType: 'Prefix', backend: target }] },
              },
            ],
          },
  });
  return {
    ingress: kubeIngress,
    backendConfig,
    managedCertificate: tls?.managedCertificate,
    frontendConfig: tls?.frontendConfig,
  };
}
