import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { InferenceWorkload } from './inference-workload.ts';
import { findUnknownFields, type KubeObject, validateObjects } from './testing/kube-schema.ts';

function synth(ingress: boolean): KubeObject[] {
  // The Cloud Storage model source (CSI ephemeral volume, read-only mount, HTTPS egress) in one
  // of the two variants.
  const modelSource = ingress
    ? ({ source: 'gcs', bucket: 'acme-models', prefix: 'models/m' } as const)
    : undefined;
  const chart = Testing.chart();
  new InferenceWorkload(chart, 'w', {
    image: 'acme/inference:1.0.0',
    model: { name: 'm', version: '1.0.0', fingerprint: 'abc' },
    ingress: {
      enabled: ingress,
      host: 'api.example.com',
      tls: { domains: ['api.example.com'], sslPolicy: 'modern-tls12' },
      iap: { oauthClientSecretName: 'w-oauth' },
    },
    // The passthrough path serves HTTPS from a Secret; behind an Ingress, the load balancer does.
    tls: ingress ? false : { secretName: 'w-tls' },
    egress: 'dns',
    modelSource,
    // Local: nginx sees each client's address, which its per-address limits key on.
    service: { loadBalancerSourceRanges: ['203.0.113.0/24'], externalTrafficPolicy: 'Local' },
    nginx: { rateLimit: { requestsPerSecond: 10 }, connectionLimit: { perAddress: 16 } },
    metrics: { podMonitoring: ingress, scraperNamespaces: ['gmp-system', 'monitoring'] },
    // A Pods metric from Managed Service for Prometheus beside CPU (needs podMonitoring).
    ...(ingress
      ? { autoscaling: { requests: { signal: 'requestsPerSecond', targetPerPod: 50 } } }
      : {}),
    // minDomains, the metadata server's ipBlocks and a digest-pinned nginx
    topologySpread: { zones: 'DoNotSchedule', minZones: 2 },
    serviceAccountAnnotations: { 'iam.gke.io/gcp-service-account': 'a@b.iam.gserviceaccount.com' },
    nginxImage: `nginxinc/nginx-unprivileged:1.30.5-trixie@sha256:${'a'.repeat(64)}`,
  });
  return Testing.synth(chart) as KubeObject[];
}

describe('synthesized objects against the Kubernetes OpenAPI schema', () => {
  const objects = [...synth(false), ...synth(true)];

  it('validate (types, enums, required fields)', async () => {
    expect(await validateObjects(objects)).toEqual([]);
  });

  it('define no field the schema does not know', () => {
    expect(findUnknownFields(objects)).toEqual([]);
  }, 60_000);
});
