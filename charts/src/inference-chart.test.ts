import { DEFAULT_CONNECTION_LIMIT, DEFAULT_RATE_LIMIT } from '@modelship/k8s';
import { allPolicyViolations, findUnknownFields, validateObjects } from '@modelship/k8s/testing';
import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENTS } from './environments.ts';
import {
  type ChartRolloutOptions,
  InferenceChart,
  type InferenceChartProps,
} from './inference-chart.ts';

// biome-ignore lint/suspicious/noExplicitAny: synthesized manifests are untyped JSON
type Manifest = any;

const MODEL = { name: 'insurance-charges', version: '1.0.0', fingerprint: '0'.repeat(64) };

function synth(
  env: keyof typeof ENVIRONMENTS,
  image?: string,
  googleCloudProject?: string,
  namespace?: string,
): Manifest[] {
  const chart = new InferenceChart(Testing.app(), env, {
    environment: ENVIRONMENTS[env],
    image,
    model: MODEL,
    googleCloudProject,
    namespace,
  });
  return Testing.synth(chart);
}
const kind = (objects: Manifest[], k: string) => objects.find((o) => o.kind === k);
const inference = (objects: Manifest[]) =>
  kind(objects, 'Deployment').spec.template.spec.containers.find(
    (c: Manifest) => c.name === 'inference',
  );

describe('InferenceChart', () => {
  it('gke: the environment image unless one is given', () => {
    expect(inference(synth('gke')).image).toBe(ENVIRONMENTS.gke.defaultImage);
    const image = 'europe-west1-docker.pkg.dev/acme/models/inference:7';
    expect(inference(synth('gke', image)).image).toBe(image);
  });

  it('gke: links logs to traces in the image’s project, unless another is given', () => {
    const project = (objects: Manifest[]) =>
      inference(objects).env.find((e: Manifest) => e.name === 'GOOGLE_CLOUD_PROJECT')?.value;
    expect(project(synth('gke', 'europe-west1-docker.pkg.dev/acme-prod/models/inference:7'))).toBe(
      'acme-prod',
    );
    expect(project(synth('gke', undefined, 'other-project'))).toBe('other-project');
    expect(project(synth('local', 'localhost/inference:dev'))).toBeUndefined();
  });

  it('gke: refuses an image outside Artifact Registry, naming IMAGE', () => {
    expect(() => synth('gke', 'docker.io/acme/inference:1')).toThrow(
      'IMAGE="docker.io/acme/inference:1": chart \'gke\' needs an Artifact Registry image',
    );
  });

  it('gke: external backend-service LB, 2-10 replicas, model annotations', () => {
    const objects = synth('gke');
    expect(kind(objects, 'Service').spec.type).toBe('LoadBalancer');
    expect(kind(objects, 'Service').metadata.annotations).toEqual({
      'cloud.google.com/l4-rbs': 'enabled',
      'networking.gke.io/weighted-load-balancing': 'pods-per-node',
    });
    const hpa = kind(objects, 'HorizontalPodAutoscaler').spec;
    expect([hpa.minReplicas, hpa.maxReplicas]).toEqual([2, 10]);
    expect(
      kind(objects, 'Deployment').metadata.annotations['modelship.dev/model-fingerprint'],
    ).toBe(MODEL.fingerprint);
    expect(objects.map((o) => o.kind)).not.toContain('Ingress');
  });

  it('gke: the minimum replicas in two zones, collectors of either Prometheus deployment', () => {
    const objects = synth('gke');
    const pod = kind(objects, 'Deployment').spec.template.spec;
    expect(pod.topologySpreadConstraints[0]).toMatchObject({
      topologyKey: 'topology.kubernetes.io/zone',
      whenUnsatisfiable: 'DoNotSchedule',
      minDomains: 2,
    });
    expect(pod.topologySpreadConstraints[0].minDomains).toBeLessThanOrEqual(
      kind(objects, 'HorizontalPodAutoscaler').spec.minReplicas,
    );
    const from = kind(objects, 'NetworkPolicy').spec.ingress[1].from;
    expect(from.map((p: Manifest) => p.namespaceSelector.matchLabels)).toEqual([
      { 'kubernetes.io/metadata.name': 'gke-gmp-system' },
      { 'kubernetes.io/metadata.name': 'gmp-system' },
    ]);
  });

  it("gke: the client's address reaches nginx (Local), which limits each address by default", () => {
    const objects = synth('gke');
    expect(kind(objects, 'Service').spec.externalTrafficPolicy).toBe('Local');
    const conf: string = kind(objects, 'ConfigMap').data['nginx.conf'];
    const { requestsPerSecond, burst } = DEFAULT_RATE_LIMIT;
    expect(conf).toMatch(
      new RegExp(
        `limit_req_zone \\$binary_remote_addr zone=(\\w+):\\d+m rate=${requestsPerSecond}r/s;`,
      ),
    );
    expect(conf).toMatch(new RegExp(`limit_req zone=\\w+ burst=${burst} nodelay;`));
    expect(conf).toMatch(/limit_conn_zone \$binary_remote_addr zone=\w+:\d+m;/);
    expect(conf).toMatch(new RegExp(`limit_conn \\w+ ${DEFAULT_CONNECTION_LIMIT.perAddress};`));
    // The address is the peer's own: no forwarded-address header is trusted.
    expect(conf).not.toContain('real_ip');
    // Local's termination: the service stays ready through its delay (kube-proxy sends a
    // node's new connections to a terminating pod only while it is ready).
    expect(inference(objects).env).toContainEqual({ name: 'SHUTDOWN_READINESS', value: 'keep' });
  });

  it('local: no per-address limits (behind port-forward every client is one address)', () => {
    const conf: string = kind(synth('local'), 'ConfigMap').data['nginx.conf'];
    expect(conf).not.toMatch(/limit_(req|conn)/);
  });

  it('a namespace puts every object in it; none by default', () => {
    expect(synth('gke').every((o) => o.metadata.namespace === undefined)).toBe(true);
    const objects = synth('gke', undefined, undefined, 'modelship');
    expect(objects.map((o) => o.metadata.namespace)).toEqual(objects.map(() => 'modelship'));
  });

  it('local: soft zone spread (local nodes have no zone label), the loaded image never pulled', () => {
    const objects = synth('local', 'localhost/inference:dev');
    const pod = kind(objects, 'Deployment').spec.template.spec;
    expect(pod.topologySpreadConstraints[0].whenUnsatisfiable).toBe('ScheduleAnyway');
    expect(inference(objects).imagePullPolicy).toBe('IfNotPresent');
  });

  it('local: any image, ClusterIP, one to three small pods, no Google real-IP trust', () => {
    const objects = synth('local', 'localhost/inference:dev');
    expect(inference(objects).image).toBe('localhost/inference:dev');
    expect(kind(objects, 'Service').spec.type).toBe('ClusterIP');
    const hpa = kind(objects, 'HorizontalPodAutoscaler').spec;
    expect([hpa.minReplicas, hpa.maxReplicas]).toEqual([1, 3]);
    expect(kind(objects, 'ConfigMap').data['nginx.conf']).not.toContain('set_real_ip_from');
  });

  it.each(['gke', 'local'] as const)('%s matches the snapshot', (env) => {
    expect(synth(env)).toMatchSnapshot();
  });

  it('gke: the model from Cloud Storage when a modelSource is given (MODEL_SOURCE)', () => {
    const chart = new InferenceChart(Testing.app(), 'gke', {
      environment: ENVIRONMENTS.gke,
      model: MODEL,
      modelSource: { source: 'gcs', bucket: 'acme-models', prefix: 'models/insurance' },
    });
    const objects: Manifest[] = Testing.synth(chart);
    const template = kind(objects, 'Deployment').spec.template;
    expect(template.metadata.annotations['gke-gcsfuse/volumes']).toBe('true');
    expect(template.spec.volumes.find((v: Manifest) => v.name === 'model').csi).toMatchObject({
      driver: 'gcsfuse.csi.storage.gke.io',
      volumeAttributes: { bucketName: 'acme-models' },
    });
    expect(inference(objects).env).toContainEqual({ name: 'MODEL_DIR', value: '/models' });
  });
});

describe('InferenceChart with a candidate (rollout)', () => {
  const CANDIDATE_IMAGE = 'us-central1-docker.pkg.dev/my-project/modelship/inference:0.2.0';
  const CANDIDATE_MODEL = { ...MODEL, version: '2.0.0' };
  const synthRollout = (rollout: Partial<ChartRolloutOptions> = {}): Manifest[] =>
    Testing.synth(
      new InferenceChart(Testing.app(), 'gke', {
        environment: ENVIRONMENTS.gke,
        model: MODEL,
        namespace: 'serving',
        rollout: { image: CANDIDATE_IMAGE, model: CANDIDATE_MODEL, ...rollout },
      }),
    );

  it('gke: stable and candidate on ClusterIP Services behind a Gateway (no LoadBalancer)', () => {
    const objects = synthRollout();
    const of = (k: string) => objects.filter((o) => o.kind === k);
    expect(of('Deployment').map((d) => d.metadata.name)).toEqual([
      'insurance',
      'insurance-candidate',
    ]);
    expect(
      of('Deployment').map((d) => d.metadata.annotations['modelship.dev/model-version']),
    ).toEqual(['1.0.0', '2.0.0']);
    expect(of('Service').map((s) => s.spec.type)).toEqual(['ClusterIP', 'ClusterIP']);
    expect(kind(objects, 'Gateway').spec.gatewayClassName).toBe('gke-l7-global-external-managed');
    expect(kind(objects, 'HTTPRoute').spec.rules[0].backendRefs).toEqual([
      { kind: 'Service', name: 'insurance', port: 80, weight: 90 },
      { kind: 'Service', name: 'insurance-candidate', port: 80, weight: 10 },
    ]);
    expect(of('HealthCheckPolicy')).toHaveLength(2);
  });

  it('gke: shadow mirrors to the candidate', () => {
    const rule = kind(synthRollout({ mode: 'shadow' }), 'HTTPRoute').spec.rules[0];
    expect(rule.filters[0].requestMirror.backendRef.name).toBe('insurance-candidate');
    expect(rule.backendRefs).toEqual([{ kind: 'Service', name: 'insurance', port: 80 }]);
  });

  it('gke: refuses a candidate image outside Artifact Registry, naming CANDIDATE_IMAGE', () => {
    expect(() => synthRollout({ image: 'docker.io/acme/inference:2' })).toThrow(
      /^CANDIDATE_IMAGE="docker.io\/acme\/inference:2"/,
    );
  });

  const IAP = {
    oauthClientId: '123456789012-abc123def456.apps.googleusercontent.com',
    oauthClientSecretName: 'insurance-oauth',
  } as const;
  const synthWith = (props: Partial<InferenceChartProps>): Manifest[] =>
    Testing.synth(
      new InferenceChart(Testing.app(), 'gke', {
        environment: ENVIRONMENTS.gke,
        model: MODEL,
        rollout: { image: CANDIDATE_IMAGE, model: CANDIDATE_MODEL },
        ...props,
      }),
    );

  it("gke: iap turns on IAP in both Services' GCPBackendPolicy behind the HTTPS Gateway", () => {
    const policies = synthWith({ iap: IAP }).filter((o) => o.kind === 'GCPBackendPolicy');
    expect(policies.map((p) => [p.spec.targetRef.name, p.spec.default.iap])).toEqual(
      ['insurance', 'insurance-candidate'].map((name) => [
        name,
        {
          enabled: true,
          clientID: IAP.oauthClientId,
          oauth2ClientSecret: { name: 'insurance-oauth' },
        },
      ]),
    );
  });

  it('gke: apiKeys guard the candidate as well as stable', () => {
    const deployments = synthWith({ apiKeys: { secretName: 'insurance-api-keys' } }).filter(
      (o) => o.kind === 'Deployment',
    );
    expect(
      deployments.map(
        (d) =>
          d.spec.template.spec.volumes.find((v: Manifest) => v.name === 'api-keys')?.secret
            .secretName,
      ),
    ).toEqual(['insurance-api-keys', 'insurance-api-keys']);
  });

  it('refuses iap without a Gateway: the passthrough load balancer has none', () => {
    expect(() => synthWith({ iap: IAP, rollout: undefined })).toThrow(
      /^IAP: chart 'gke' serves through a LoadBalancer Service, which has no Identity-Aware Proxy/,
    );
  });

  it('the manifests pass the Kubernetes and Gateway API schemas and the policy checks', async () => {
    const objects = [...synthRollout(), ...synthRollout({ mode: 'shadow' })];
    expect(await validateObjects(objects)).toEqual([]);
    expect(findUnknownFields(objects)).toEqual([]);
    expect(allPolicyViolations(objects, ['/healthz', '/readyz'])).toEqual([]);
  }, 60_000);
});
