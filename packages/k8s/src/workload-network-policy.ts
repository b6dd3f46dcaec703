import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { objectMeta, type WorkloadMeta } from './metadata.ts';

/**
 * What the NetworkPolicy lets the pods reach. Each rule names every address GKE may use for the
 * service, so that one manifest works on Autopilot and Standard, with either DNS provider and
 * either dataplane; an address a cluster does not use simply matches nothing.
 * @see https://cloud.google.com/kubernetes-engine/docs/how-to/network-policy
 */
export interface EgressOptions {
  /**
   * DNS, UDP and TCP 53, to whichever resolver the pod's resolv.conf names:
   * - kube-dns (Standard's default provider): the `k8s-app: kube-dns` pods in kube-system;
   * - NodeLocal DNSCache (always on in Autopilot, on by default in recent Standard versions):
   *   169.254.20.10 and the `k8s-app: node-local-dns` pods;
   * - Cloud DNS for GKE (Autopilot's default provider): the node's metadata server,
   *   169.254.169.254.
   * Without Dataplane V2 (Calico network policy) NodeLocal DNSCache also answers on the
   * kube-dns Service IP; allow that address in a policy of your own.
   * @see https://cloud.google.com/kubernetes-engine/docs/how-to/nodelocal-dns-cache
   * @see https://cloud.google.com/kubernetes-engine/docs/how-to/cloud-dns
   * @default true with Workload Identity, else false
   */
  readonly dns?: boolean;
  /**
   * The GKE metadata server, which hands out Workload Identity tokens: 169.254.169.254 TCP 80
   * (what the pod dials; Dataplane V2 checks the policy before translating the address) and
   * 169.254.169.252 TCP 988 (where the Calico dataplane has already sent it when the policy is
   * checked).
   * @see https://cloud.google.com/kubernetes-engine/docs/how-to/network-policy#network-policy-and-workload-identity
   * @see https://cloud.google.com/kubernetes-engine/docs/concepts/workload-identity#metadata_server
   * @default true with Workload Identity, else false
   */
  readonly metadataServer?: boolean;
  /**
   * HTTPS (TCP 443) to Google APIs, which the Cloud Storage FUSE sidecar calls from inside the
   * pod (storage.googleapis.com, sts.googleapis.com): to `modelSource.googleApisCidrs`, or to
   * any address when none are given (a NetworkPolicy cannot name hosts).
   * @default true with a `gcs` modelSource, else false
   */
  readonly googleApis?: boolean;
}

/** The `egress` prop of the workload. */
export interface EgressProps {
  /**
   * Egress allowed by the NetworkPolicy; everything else is denied (the model is in the image
   * and the service talks only to nginx, over loopback). `'none'` is `{}`, `'dns'` is
   * `{ dns: true }`; with Workload Identity (`serviceAccountAnnotations` has
   * `iam.gke.io/gcp-service-account`) DNS and the metadata server are open unless set false.
   * Other destinations (Google APIs on 443, say): add a NetworkPolicy of your own selecting the
   * same pods; policies add up.
   * @default 'none'
   */
  readonly egress?: 'none' | 'dns' | EgressOptions;
}

/** {@link EgressOptions} with defaults applied, and the HTTPS destinations. */
export type ResolvedEgress = Required<EgressOptions> & {
  /** Where `googleApis` may connect; `undefined`: any address on 443. */
  readonly googleApisCidrs: readonly string[] | undefined;
};

/**
 * `egress` as switches; Workload Identity and a Cloud Storage model source turn on what they
 * need unless set false (the FUSE sidecar resolves and calls Google APIs with the pod's
 * Workload Identity Federation token).
 */
export function resolveEgress(
  egress: EgressProps['egress'],
  needs: {
    readonly workloadIdentity: boolean;
    /** A Cloud Storage model source, with the destinations it allows. */
    readonly gcs: { readonly googleApisCidrs?: readonly string[] } | undefined;
  },
): ResolvedEgress {
  const e = egress ?? 'none';
  const options: EgressOptions = e === 'none' ? {} : e === 'dns' ? { dns: true } : e;
  const gcs = needs.gcs !== undefined;
  const needed = needs.workloadIdentity || gcs;
  return {
    dns: options.dns ?? needed,
    metadataServer: options.metadataServer ?? needed,
    googleApis: options.googleApis ?? gcs,
    googleApisCidrs: needs.gcs?.googleApisCidrs,
  };
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
function egressRules(egress: ResolvedEgress): k8s.NetworkPolicyEgressRule[] {
  const rules: k8s.NetworkPolicyEgressRule[] = [];
  if (egress.dns) {
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
  if (egress.metadataServer) {
    rules.push(
      { to: [host(METADATA_SERVER_IP)], ports: [tcp(80)] },
      { to: [host(GKE_METADATA_SERVER_IP)], ports: [tcp(988)] },
    );
  }
  if (egress.googleApis) {
    const cidrs = egress.googleApisCidrs;
    // No `to`: any address on 443 (Google APIs have no fixed public range a policy could name).
    rules.push({
      ...(cidrs ? { to: cidrs.map((cidr) => ({ ipBlock: { cidr } })) } : {}),
      ports: [tcp(443)],
    });
  }
  return rules;
}

/** nginx's ports that the NetworkPolicy opens. */
export interface PolicyPorts {
  /** The public ports (plain, and HTTPS with TLS), from anywhere. */
  readonly public: readonly number[];
  /** The metrics port, from the scrapers' namespaces only (none: no metrics port). */
  readonly metrics:
    | { readonly port: number; readonly scraperNamespaces: readonly string[] }
    | undefined;
}

/**
 * The NetworkPolicy: ingress to nginx's port (from anywhere: the load balancer preserves
 * client addresses) and to the metrics port from the scrapers' namespaces only; egress denied
 * but for {@link egressRules}. The service needs no egress: the model is baked into the image
 * (or read from a Cloud Storage mount, whose FUSE sidecar is what calls Google APIs) and nginx
 * reaches the service over loopback, which policies do not filter.
 * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
 */
export function networkPolicy(
  scope: Construct,
  meta: WorkloadMeta,
  egress: ResolvedEgress,
  ports: PolicyPorts,
): k8s.KubeNetworkPolicy {
  const { metrics } = ports;
  return new k8s.KubeNetworkPolicy(scope, 'network-policy', {
    metadata: objectMeta(meta),
    spec: {
      podSelector: { matchLabels: { ...meta.selector } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        {
          ports: ports.public.map((port) => ({
            protocol: 'TCP',
            port: k8s.IntOrString.fromNumber(port),
          })),
        },
        ...(metrics === undefined
          ? []
          : [
              {
                from: metrics.scraperNamespaces.map((namespace) => ({
                  namespaceSelector: {
                    matchLabels: { 'kubernetes.io/metadata.name': namespace },
                  },
                })),
                ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(metrics.port) }],
              },
            ]),
      ],
      egress: egressRules(egress),
    },
  });
}
