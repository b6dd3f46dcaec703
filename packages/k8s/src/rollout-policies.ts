import { OPERATIONAL_ROUTES } from '@modelship/contract';
import { ApiObject } from 'cdk8s';
import type { InferenceWorkload } from './inference-workload.ts';
import { objectMeta } from './metadata.ts';
import { fail } from './validate.ts';
import { assertDnsSubdomain } from './workload-tls.ts';

/**
 * Identity-Aware Proxy on the Gateway's backend services, for people rather than programs: the
 * load balancer signs users in with Google and lets through only those granted
 * `roles/iap.httpsResourceAccessor` (IAP-secured Web App User).
 * @see https://cloud.google.com/kubernetes-engine/docs/how-to/configure-gateway-resources#configure_iap
 */
export interface GatewayIapOptions {
  /** The OAuth client's id (`NUMBER-ID.apps.googleusercontent.com`). */
  readonly oauthClientId: string;
  /**
   * The Secret in the namespace holding the OAuth client's secret under the key `key`
   * (`kubectl create secret generic NAME --from-file=key=FILE`).
   */
  readonly oauthClientSecretName: string;
}

/** An OAuth 2.0 client id as Google issues them. */
export const OAUTH_CLIENT_ID = /^[0-9]+-[a-z0-9]+\.apps\.googleusercontent\.com$/;

/** Validates the `iap` prop against the rollout's `tls` and the workloads' `apiKeys`. */
export function resolveGatewayIap(
  iap: GatewayIapOptions | undefined,
  context: { readonly tls: boolean; readonly apiKeys: readonly ('stable' | 'candidate')[] },
): GatewayIapOptions | undefined {
  if (iap === undefined) return undefined;
  if (!OAUTH_CLIENT_ID.test(iap.oauthClientId)) {
    fail(
      'iap.oauthClientId',
      iap.oauthClientId,
      "must be an OAuth client id, 'NUMBER-ID.apps.googleusercontent.com'",
    );
  }
  assertDnsSubdomain('iap.oauthClientSecretName', iap.oauthClientSecretName);
  if (!context.tls) fail('iap', 'set', "needs 'tls' (IAP serves HTTPS only)");
  const [keyed] = context.apiKeys;
  if (keyed !== undefined) {
    fail(
      'iap',
      'set',
      `and '${keyed}.apiKeys' are alternatives: IAP signs people in, keys are for programs (a person behind IAP has no key)`,
    );
  }
  return iap;
}

/**
 * GKE's policies for each Service behind the Gateway (stable's, then the candidate's): a
 * HealthCheckPolicy on nginx's `/readyz`, and a GCPBackendPolicy whose connection draining and
 * timeout follow the workload's termination timeline and nginx's `proxy_read_timeout`, with IAP
 * when asked for.
 * @see https://cloud.google.com/kubernetes-engine/docs/how-to/configure-gateway-resources
 */
export function gatewayPolicies(
  workloads: readonly InferenceWorkload[],
  iap: GatewayIapOptions | undefined,
): { healthCheckPolicies: ApiObject[]; backendPolicies: ApiObject[] } {
  const perService = (kind: string, id: string, spec: (w: InferenceWorkload) => object) =>
    workloads.map(
      (w) =>
        new ApiObject(w, id, {
          apiVersion: 'networking.gke.io/v1',
          kind,
          metadata: objectMeta(w.settings.meta),
          spec: { ...spec(w), targetRef: { group: '', kind: 'Service', name: w.settings.name } },
        }),
    );
  // Without a policy GKE checks `/` on the serving port; nginx's `/readyz` is ready only once
  // the model is loaded and until draining begins.
  const healthCheckPolicies = perService('HealthCheckPolicy', 'health-check-policy', (w) => ({
    default: {
      checkIntervalSec: 5,
      timeoutSec: 3,
      healthyThreshold: 1,
      unhealthyThreshold: 2,
      config: {
        type: 'HTTP',
        httpHealthCheck: {
          port: w.settings.nginx.options.listenPort,
          requestPath: OPERATIONAL_ROUTES.ready,
        },
      },
    },
  }));
  const backendPolicies = perService('GCPBackendPolicy', 'backend-policy', (w) => ({
    default: {
      // The load balancer waits for an answer as long as nginx waits for the service.
      timeoutSec: w.settings.nginx.options.proxyReadTimeoutSeconds,
      // Requests in flight on a terminating pod may finish while it still serves.
      connectionDraining: { drainingTimeoutSec: w.settings.termination.serviceDelaySeconds },
      // Both Services: a mirrored or weighted request reaches either backend service.
      ...(iap === undefined
        ? {}
        : {
            iap: {
              enabled: true,
              clientID: iap.oauthClientId,
              oauth2ClientSecret: { name: iap.oauthClientSecretName },
            },
          }),
    },
  }));
  return { healthCheckPolicies, backendPolicies };
}
