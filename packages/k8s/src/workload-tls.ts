import type { k8s } from 'cdk8s-plus-27';
import type { NginxTlsOptions } from './nginx-conf-options.ts';
import { fail } from './validate.ts';

/** HTTPS terminated by nginx, behind the passthrough load balancer. */
export interface TlsOptions {
  /**
   * The `kubernetes.io/tls` Secret (keys `tls.crt` and `tls.key`) in the workload's namespace,
   * as cert-manager writes it or `kubectl create secret tls NAME --cert --key` makes it.
   */
  readonly secretName: string;
}

/** The Service's HTTPS port (the plain port, `service.port`, redirects to it). */
export const HTTPS_SERVICE_PORT = 443;

/** The TLS section's defaults: nginx's HTTPS port in the pod and where the Secret is mounted. */
export const TLS_DEFAULTS = {
  port: 8443,
  certificateDir: '/etc/modelship/tls',
} as const satisfies Required<NginxTlsOptions>;

/** The TLS section resolved: the Secret and nginx's TLS options, or plain HTTP (`false`). */
export type ResolvedTls = false | (TlsOptions & Required<NginxTlsOptions>);

/**
 * Applies the rules of the `tls` prop. A LoadBalancer Service without an Ingress puts nginx
 * itself on a public (or VPC) address: plain HTTP there must be asked for (`tls: false`).
 * Behind an Ingress, the Google load balancer terminates TLS (`ingress.tls`), so nginx must not.
 */
export function resolveTls(
  tls: TlsOptions | false | undefined,
  context: { readonly loadBalancer: boolean; readonly ingress: boolean },
): ResolvedTls {
  if (tls === undefined) {
    if (context.loadBalancer && !context.ingress) {
      fail(
        'tls',
        tls,
        'must be set for a LoadBalancer Service: { secretName } (a kubernetes.io/tls Secret) for HTTPS, or false for plain HTTP',
      );
    }
    return false;
  }
  if (tls === false) return false;
  assertDnsSubdomain('tls.secretName', tls.secretName);
  if (context.ingress) {
    fail(
      'tls.secretName',
      tls.secretName,
      'cannot be used with an Ingress: the Google load balancer terminates TLS there (ingress.tls)',
    );
  }
  return { secretName: tls.secretName, ...TLS_DEFAULTS };
}

/**
 * A DNS-1123 subdomain: the form of Secret names and DNS names.
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#dns-subdomain-names
 */
export const DNS_SUBDOMAIN =
  /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Asserts that `value` is a {@link DNS_SUBDOMAIN}. */
export function assertDnsSubdomain(name: string, value: string): void {
  if (typeof value !== 'string' || !DNS_SUBDOMAIN.test(value)) {
    fail(
      name,
      value,
      "must be a DNS subdomain: lowercase letters, digits, '-' and '.', at most 253",
    );
  }
}

/** The Secret's volume, mounted in the nginx container only. */
export function tlsVolumes(tls: ResolvedTls): k8s.Volume[] {
  return tls === false ? [] : [{ name: 'tls', secret: { secretName: tls.secretName } }];
}
