import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { ModelRollout, type ModelRolloutProps } from './model-rollout.ts';
import { findUnknownFields, type KubeObject, validateObjects } from './testing/kube-schema.ts';
import { allPolicyViolations } from './testing/policy.ts';

// biome-ignore lint/suspicious/noExplicitAny: synthesized manifests are untyped JSON
type Manifest = any;

const STABLE = {
  image: 'acme/inference:1.0.0',
  model: { name: 'm', version: '1.0.0', fingerprint: 'abc' },
  namespace: 'serving',
} as const;
const CANDIDATE = {
  image: 'acme/inference:1.1.0',
  model: { name: 'm', version: '2.0.0', fingerprint: 'def' },
  namespace: 'serving',
} as const;

function synth(props: Partial<ModelRolloutProps> = {}) {
  const chart = Testing.chart();
  const rollout = new ModelRollout(chart, 'rollout', {
    stable: STABLE,
    candidate: CANDIDATE,
    tls: false,
    ...props,
  });
  const objects: Manifest[] = Testing.synth(chart);
  const all = (kind: string): Manifest[] => objects.filter((o) => o.kind === kind);
  const one = (kind: string): Manifest => {
    expect(all(kind), kind).toHaveLength(1);
    return all(kind)[0];
  };
  return { rollout, objects, all, one };
}

describe('ModelRollout', () => {
  it('two full workloads, stable and candidate, each with its image and a ClusterIP Service', () => {
    const { all } = synth();
    const deployments = all('Deployment');
    expect(deployments.map((d) => d.metadata.name)).toEqual(['inference', 'inference-candidate']);
    const image = (d: Manifest) =>
      d.spec.template.spec.containers.find((c: Manifest) => c.name === 'inference').image;
    expect(deployments.map(image)).toEqual([STABLE.image, CANDIDATE.image]);
    const services = all('Service');
    expect(services.map((s) => [s.metadata.name, s.spec.type])).toEqual([
      ['inference', 'ClusterIP'],
      ['inference-candidate', 'ClusterIP'],
    ]);
    // No second load balancer: the Gateway is the only entrance.
    expect(all('Ingress')).toEqual([]);
    expect(
      services.every((s) => s.metadata.annotations?.['cloud.google.com/l4-rbs'] === undefined),
    ).toBe(true);
  });

  it('a GCPBackendPolicy per Service: draining from the timeline, the timeout of nginx', () => {
    const { all, rollout } = synth({
      candidate: { ...CANDIDATE, nginx: { proxyReadTimeoutSeconds: 120 } },
    });
    const policies = all('GCPBackendPolicy');
    expect(policies.map((p) => p.apiVersion)).toEqual([
      'networking.gke.io/v1',
      'networking.gke.io/v1',
    ]);
    expect(policies.map((p) => [p.metadata.name, p.metadata.namespace, p.spec])).toEqual([
      [
        'inference',
        'serving',
        {
          default: { timeoutSec: 60, connectionDraining: { drainingTimeoutSec: 42 } },
          targetRef: { group: '', kind: 'Service', name: 'inference' },
        },
      ],
      [
        'inference-candidate',
        'serving',
        {
          default: { timeoutSec: 120, connectionDraining: { drainingTimeoutSec: 42 } },
          targetRef: { group: '', kind: 'Service', name: 'inference-candidate' },
        },
      ],
    ]);
    // Behind the Gateway's NEGs both workloads allow the longer lag (30 s before nginx stops).
    for (const deployment of all('Deployment')) {
      const nginx = deployment.spec.template.spec.containers.find(
        (c: Manifest) => c.name === 'nginx',
      );
      expect(nginx.lifecycle.preStop.exec.command.at(-1)).toBe('30');
    }
    expect(rollout.backendPolicies).toHaveLength(2);
  });

  it('canary: an HTTPRoute on the Gateway splits by weight (default 90/10)', () => {
    const { one } = synth();
    const gateway = one('Gateway');
    expect(gateway.apiVersion).toBe('gateway.networking.k8s.io/v1');
    expect(gateway.metadata).toMatchObject({ name: 'inference', namespace: 'serving' });
    expect(gateway.spec.gatewayClassName).toBe('gke-l7-global-external-managed');
    expect(gateway.spec.listeners).toEqual([
      { name: 'http', protocol: 'HTTP', port: 80, allowedRoutes: { namespaces: { from: 'Same' } } },
    ]);
    const route = one('HTTPRoute');
    expect(route.spec.parentRefs).toEqual([{ kind: 'Gateway', name: 'inference' }]);
    expect(route.spec.rules).toEqual([
      {
        backendRefs: [
          { kind: 'Service', name: 'inference', port: 80, weight: 90 },
          { kind: 'Service', name: 'inference-candidate', port: 80, weight: 10 },
        ],
      },
    ]);
  });

  it('canary weights 0 and 100 are allowed; the regional class and host names are passed on', () => {
    const { one } = synth({
      candidateWeightPercent: 100,
      gatewayClassName: 'gke-l7-regional-external-managed',
      hostnames: ['api.example.com'],
    });
    expect(one('Gateway').spec.gatewayClassName).toBe('gke-l7-regional-external-managed');
    const route = one('HTTPRoute');
    expect(route.spec.hostnames).toEqual(['api.example.com']);
    expect(route.spec.rules[0].backendRefs.map((b: Manifest) => b.weight)).toEqual([0, 100]);
    expect(synth({ candidateWeightPercent: 0 }).rollout.candidateWeightPercent).toBe(0);
  });

  it('shadow: every request to stable, mirrored to the candidate', () => {
    const { one, rollout } = synth({ mode: 'shadow' });
    expect(rollout.candidateWeightPercent).toBe(0);
    expect(one('HTTPRoute').spec.rules).toEqual([
      {
        filters: [
          {
            type: 'RequestMirror',
            requestMirror: {
              backendRef: { kind: 'Service', name: 'inference-candidate', port: 80 },
            },
          },
        ],
        backendRefs: [{ kind: 'Service', name: 'inference', port: 80 }],
      },
    ]);
  });

  it('shadow: the candidate logs every answer (PAYLOAD_LOG_SAMPLE=1) unless set; stable as given', () => {
    const sample = (rollout: ModelRollout, role: 'stable' | 'candidate') =>
      rollout[role].deployment
        .toJson()
        .spec.template.spec.containers.find((c: Manifest) => c.name === 'inference')
        .env.find((e: Manifest) => e.name === 'PAYLOAD_LOG_SAMPLE')?.value;
    const shadow = synth({ mode: 'shadow' }).rollout;
    expect(sample(shadow, 'candidate')).toBe('1');
    expect(sample(shadow, 'stable')).toBeUndefined();
    expect(sample(synth().rollout, 'candidate')).toBeUndefined();
    const set = synth({
      mode: 'shadow',
      candidate: { ...CANDIDATE, inference: { payloadLogSample: 0.1 } },
    }).rollout;
    expect(sample(set, 'candidate')).toBe('0.1');
  });

  it("a HealthCheckPolicy per Service: nginx's port, /readyz", () => {
    const { all } = synth();
    const policies = all('HealthCheckPolicy');
    expect(policies.map((p) => [p.metadata.name, p.metadata.namespace])).toEqual([
      ['inference', 'serving'],
      ['inference-candidate', 'serving'],
    ]);
    // Deleted with the candidate's other objects by its instance label.
    expect(policies.map((p) => p.metadata.labels['app.kubernetes.io/instance'])).toEqual([
      'inference',
      'inference-candidate',
    ]);
    for (const policy of policies) {
      expect(policy.apiVersion).toBe('networking.gke.io/v1');
      expect(policy.spec.targetRef).toEqual({
        group: '',
        kind: 'Service',
        name: policy.metadata.name,
      });
      expect(policy.spec.default.config).toEqual({
        type: 'HTTP',
        httpHealthCheck: { port: 8080, requestPath: '/readyz' },
      });
      expect(policy.spec.default).toMatchObject({ checkIntervalSec: 5, timeoutSec: 3 });
    }
  });

  it("nginx keeps connections longer than the Gateway's load balancer (600 s) unless set", () => {
    const { rollout } = synth({
      candidate: { ...CANDIDATE, nginx: { clientKeepaliveTimeoutSeconds: 700 } },
    });
    expect(rollout.stable.nginxConf).toContain('keepalive_timeout 620s');
    expect(rollout.candidate.nginxConf).toContain('keepalive_timeout 700s');
  });

  it('names the prop it refuses', () => {
    const refuse = (props: Partial<ModelRolloutProps>, message: RegExp) =>
      expect(() => synth(props)).toThrow(message);
    refuse({ candidateWeightPercent: 101 }, /'candidateWeightPercent' \(101\)/);
    refuse({ candidateWeightPercent: 2.5 }, /'candidateWeightPercent'/);
    refuse({ mode: 'shadow', candidateWeightPercent: 10 }, /'candidateWeightPercent'.*canary/);
    refuse({ mode: 'blue' as 'canary' }, /'mode'/);
    refuse(
      { gatewayClassName: 'gke-l7-gxlb' as 'gke-l7-global-external-managed' },
      /'gatewayClassName'/,
    );
    refuse({ stable: { ...STABLE, service: { type: 'LoadBalancer' } } }, /'stable\.service\.type'/);
    refuse(
      { candidate: { ...CANDIDATE, ingress: { enabled: true, tls: false } } },
      /'candidate\.ingress\.enabled'/,
    );
    refuse({ candidate: { ...CANDIDATE, namespace: 'other' } }, /'candidate\.namespace'/);
    refuse({ candidate: { ...CANDIDATE, name: 'inference' } }, /'candidate\.name'/);
    refuse({ hostnames: ['Not A Host'] }, /'hostnames\[0\]'/);
  });
});

describe('ModelRollout with tls', () => {
  it('a TLS Secret: an HTTPS listener on 443 terminating with it; the route on it', () => {
    const { all } = synth({ tls: { secretName: 'inference-tls' }, hostnames: ['api.example.com'] });
    const [gateway] = all('Gateway');
    expect(gateway.spec.listeners).toEqual([
      { name: 'http', protocol: 'HTTP', port: 80, allowedRoutes: { namespaces: { from: 'Same' } } },
      {
        name: 'https',
        protocol: 'HTTPS',
        port: 443,
        tls: { mode: 'Terminate', certificateRefs: [{ kind: 'Secret', name: 'inference-tls' }] },
        allowedRoutes: { namespaces: { from: 'Same' } },
      },
    ]);
    const routes = all('HTTPRoute');
    const serving = routes.find((r) => r.metadata.name === 'inference');
    expect(serving.spec.parentRefs).toEqual([
      { kind: 'Gateway', name: 'inference', sectionName: 'https' },
    ]);
    const redirect = routes.find((r) => r.metadata.name === 'inference-redirect');
    expect(redirect.spec).toEqual({
      parentRefs: [{ kind: 'Gateway', name: 'inference', sectionName: 'http' }],
      hostnames: ['api.example.com'],
      rules: [
        {
          filters: [
            { type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } },
          ],
        },
      ],
    });
    expect(redirect.spec.rules[0].backendRefs).toBeUndefined();
  });

  it('a certificate map: the Gateway annotation and an HTTPS listener without tls', () => {
    const { all } = synth({ tls: { certificateMap: 'inference-certs' } });
    const [gateway] = all('Gateway');
    expect(gateway.metadata.annotations).toEqual({
      'networking.gke.io/certmap': 'inference-certs',
    });
    expect(gateway.spec.listeners[1]).toEqual({
      name: 'https',
      protocol: 'HTTPS',
      port: 443,
      allowedRoutes: { namespaces: { from: 'Same' } },
    });
  });

  it.each<[Partial<ModelRolloutProps>, string]>([
    [{ tls: undefined as never }, "'tls' (undefined)"],
    [{ tls: { secretName: 'Bad_Name' } }, `'tls.secretName' ("Bad_Name")`],
    [{ tls: { certificateMap: 'Certs!' } }, `'tls.certificateMap' ("Certs!")`],
    [
      { tls: { certificateMap: 'certs' }, gatewayClassName: 'gke-l7-regional-external-managed' },
      `'tls.certificateMap' ("certs") needs the gatewayClassName gke-l7-global-external-managed`,
    ],
  ])('rejects %j naming the prop', (props, message) => {
    expect(() => synth(props)).toThrow(message);
  });
});

const IAP = {
  oauthClientId: '123456789012-abc123def456.apps.googleusercontent.com',
  oauthClientSecretName: 'inference-oauth',
} as const;

describe('ModelRollout with iap', () => {
  it("turns on IAP in both Services' GCPBackendPolicy with the OAuth client and its Secret", () => {
    const { all } = synth({ tls: { secretName: 'inference-tls' }, iap: IAP });
    const policies = all('GCPBackendPolicy');
    expect(policies.map((p) => p.spec.targetRef.name)).toEqual([
      'inference',
      'inference-candidate',
    ]);
    for (const policy of policies) {
      expect(policy.spec.default.iap).toEqual({
        enabled: true,
        clientID: IAP.oauthClientId,
        oauth2ClientSecret: { name: 'inference-oauth' },
      });
      // The policy's other settings stay.
      expect(policy.spec.default).toMatchObject({ timeoutSec: 60 });
    }
  });

  it('in shadow mode too (the mirrored backend service is guarded as well)', () => {
    const { all } = synth({ mode: 'shadow', tls: { certificateMap: 'certs' }, iap: IAP });
    expect(all('GCPBackendPolicy').map((p) => p.spec.default.iap?.enabled)).toEqual([true, true]);
  });

  it('is off unless asked for', () => {
    const { all } = synth({ tls: { secretName: 'inference-tls' } });
    expect(all('GCPBackendPolicy').map((p) => p.spec.default.iap)).toEqual([undefined, undefined]);
  });

  it.each<[Partial<ModelRolloutProps>, string]>([
    [{ iap: IAP }, `'iap' ("set") needs 'tls' (IAP serves HTTPS only)`],
    [
      { tls: { secretName: 't' }, iap: { ...IAP, oauthClientId: 'my-client' } },
      `'iap.oauthClientId' ("my-client") must be an OAuth client id`,
    ],
    [
      { tls: { secretName: 't' }, iap: { ...IAP, oauthClientSecretName: 'OAuth_Secret' } },
      `'iap.oauthClientSecretName' ("OAuth_Secret") must be a DNS subdomain`,
    ],
    [
      { tls: { secretName: 't' }, iap: IAP, stable: { ...STABLE, apiKeys: { secretName: 'k' } } },
      `'iap' ("set") and 'stable.apiKeys' are alternatives`,
    ],
    [
      {
        tls: { secretName: 't' },
        iap: IAP,
        candidate: { ...CANDIDATE, apiKeys: { secretName: 'k' } },
      },
      `'iap' ("set") and 'candidate.apiKeys' are alternatives`,
    ],
  ])('rejects %j naming the prop', (props, message) => {
    expect(() => synth(props)).toThrow(message);
  });
});

describe('synthesized rollouts against the Kubernetes and Gateway API schemas', () => {
  const objects: KubeObject[] = [
    ...synth().objects,
    ...synth({ mode: 'shadow', gatewayClassName: 'gke-l7-regional-external-managed' }).objects,
    ...synth({ tls: { secretName: 'inference-tls' }, hostnames: ['api.example.com'] }).objects,
    ...synth({ tls: { certificateMap: 'inference-certs' }, iap: IAP }).objects,
  ];

  it('the Gateway and HTTPRoute are checked (not skipped as custom resources)', async () => {
    const route = objects.find((o) => o.kind === 'HTTPRoute') as KubeObject;
    const broken = {
      ...route,
      spec: { rules: [{ backendRefs: [{ name: 'x', weight: 1000001 }] }] },
    };
    expect(await validateObjects([broken])).not.toEqual([]);
  });

  it('validate (types, enums, required fields)', async () => {
    expect(await validateObjects(objects)).toEqual([]);
  });

  it('define no field the schemas do not know', () => {
    expect(findUnknownFields(objects)).toEqual([]);
  }, 60_000);

  it('pass every policy check', () => {
    expect(allPolicyViolations(objects, ['/healthz', '/readyz'])).toEqual([]);
  });
});
