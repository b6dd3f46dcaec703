import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { InferenceWorkload } from './inference-workload.ts';
import { InvalidPropError } from './validate.ts';
import { DEFAULT_RESOURCES } from './workload-placement.ts';
import type { InferenceWorkloadProps } from './workload-settings.ts';

const IMAGE = 'europe-west1-docker.pkg.dev/acme/models/inference:1.0.0';

function build(props: Partial<InferenceWorkloadProps>) {
  return () => new InferenceWorkload(Testing.chart(), 'w', { image: IMAGE, tls: false, ...props });
}

describe('invalid props throw, naming the prop and its value', () => {
  it.each<[string, Partial<InferenceWorkloadProps>, string]>([
    [
      'inverted replica bounds',
      { autoscaling: { minReplicas: 5, maxReplicas: 3 } },
      "'autoscaling.minReplicas' (5) must be <= 'autoscaling.maxReplicas' (3)",
    ],
    ['zero replicas', { autoscaling: { minReplicas: 0 } }, "'autoscaling.minReplicas' (0)"],
    [
      'CPU target over 100',
      { autoscaling: { cpuUtilizationPercent: 150 } },
      "'autoscaling.cpuUtilizationPercent' (150)",
    ],
    ['a bad name', { name: 'Insurance_1' }, `'name' ("Insurance_1")`],
    ['a name starting with a digit', { name: '1nference' }, `'name' ("1nference")`],
    ['an unpinned image', { image: 'acme/inference:latest' }, `'image' ("acme/inference:latest")`],
    ['an image with spaces', { image: 'acme/inference 1' }, `'image' ("acme/inference 1")`],
    [
      'a grace period shorter than the termination sequence',
      { termination: { gracePeriodSeconds: 30 } },
      "'termination.gracePeriodSeconds' (30) must be >= loadBalancerLagSeconds + nginx.workerShutdownTimeoutSeconds + 2 + drainTimeoutSeconds + 5 (47)",
    ],
    [
      'a grace period that a longer nginx drain no longer covers',
      { nginx: { workerShutdownTimeoutSeconds: 30 }, termination: { gracePeriodSeconds: 60 } },
      "'termination.gracePeriodSeconds' (60) must be >= loadBalancerLagSeconds + nginx.workerShutdownTimeoutSeconds + 2 + drainTimeoutSeconds + 5 (67)",
    ],
    [
      'a per-address rate limit behind Cluster traffic policy (the nodes SNAT every client)',
      { nginx: { rateLimit: { requestsPerSecond: 5 } } },
      "'nginx.rateLimit' ({\"requestsPerSecond\":5}) keys on the client's address",
    ],
    [
      'a per-address connection limit of 0',
      {
        service: { externalTrafficPolicy: 'Local' },
        nginx: { connectionLimit: { perAddress: 0 } },
      },
      "'nginx.connectionLimit.perAddress' (0)",
    ],
    [
      'an API key Secret name that is no DNS name',
      { apiKeys: { secretName: 'Keys_1' } },
      `'apiKeys.secretName' ("Keys_1")`,
    ],
    [
      'an API key route that cannot be opened',
      { apiKeys: { secretName: 'keys', open: ['predict' as 'docs'] } },
      `'apiKeys.open[0]' ("predict") must be one of form, docs`,
    ],
    [
      'IAP without HTTPS on the Ingress',
      { ingress: { enabled: true, tls: false, iap: { oauthClientSecretName: 'oauth' } } },
      `'ingress.iap' ("set") needs 'ingress.tls'`,
    ],
    [
      'IAP and API keys on one path',
      {
        ingress: {
          enabled: true,
          tls: { domains: ['api.example.com'] },
          iap: { oauthClientSecretName: 'oauth' },
        },
        apiKeys: { secretName: 'keys' },
      },
      `'ingress.iap' ("set") and 'apiKeys' are alternatives`,
    ],
    [
      'a negative load balancer lag',
      { termination: { loadBalancerLagSeconds: -1 } },
      "'termination.loadBalancerLagSeconds' (-1)",
    ],
    [
      'a zero drain timeout',
      { termination: { drainTimeoutSeconds: 0 } },
      "'termination.drainTimeoutSeconds' (0)",
    ],
    [
      'a probe port that nginx already uses',
      { inference: { probePort: 9090 } },
      "'inference.probePort' (9090) must differ from nginx's metrics port 'metrics.port' (9090)",
    ],
    [
      'an invalid drain marker path',
      { nginx: { drainFile: 'tmp/drain' } },
      `'nginx.drainFile' ("tmp/drain")`,
    ],
    [
      'an nginx upstream keep-alive not below the service one',
      { inference: { keepaliveTimeoutSeconds: 60 } },
      "'nginx.upstreamKeepaliveTimeoutSeconds' (60) must be < 'inference.keepaliveTimeoutSeconds' (60)",
    ],
    [
      'an env var the construct owns',
      { inference: { env: { PORT: '1' } } },
      `'inference.env.PORT' ("1") is set by the construct`,
    ],
    [
      'an invalid env var name',
      { inference: { env: { 'A-B': '1' } } },
      `'inference.env.A-B' ("1") has an invalid name`,
    ],
    [
      'the service on nginx port',
      { inference: { port: 8080 } },
      "'inference.port' (8080) must differ from nginx's port 8080",
    ],
    ['a zero body limit', { inference: { bodyLimitBytes: 0 } }, "'inference.bodyLimitBytes' (0)"],
    [
      'a derived nginx option',
      { nginx: { listenPort: 9000 } as never },
      "'nginx.listenPort' (9000) is derived",
    ],
    ['an invalid nginx option', { nginx: { healthPath: 'x' } }, `'nginx.healthPath' ("x")`],
    [
      'limits below requests',
      {
        resources: {
          nginx: {
            ...DEFAULT_RESOURCES.nginx,
            limits: { ...DEFAULT_RESOURCES.nginx.limits, memoryMiB: 64 },
          },
        },
      },
      "'resources.nginx.limits.memoryMiB' (64) must be >= 'resources.nginx.requests.memoryMiB' (128)",
    ],
    [
      'fractional CPU',
      {
        resources: {
          inference: {
            ...DEFAULT_RESOURCES.inference,
            requests: { ...DEFAULT_RESOURCES.inference.requests, cpuMillis: 0.5 },
          },
        },
      },
      "'resources.inference.requests.cpuMillis' (0.5)",
    ],
    ['a zero maxSurge', { maxSurge: 0 }, "'maxSurge' (0)"],
    ['a bad maxSurge percentage', { maxSurge: '0%' }, `'maxSurge' ("0%")`],
    ['a zero PDB', { maxUnavailableDuringDisruption: 0 }, "'maxUnavailableDuringDisruption' (0)"],
    [
      'a bad source range',
      { service: { loadBalancerSourceRanges: ['10.0.0.0/40'] } },
      `'service.loadBalancerSourceRanges[0]' ("10.0.0.0/40")`,
    ],
    [
      'source ranges without a load balancer',
      { service: { type: 'ClusterIP', loadBalancerSourceRanges: ['10.0.0.0/8'] } },
      `'service.loadBalancerSourceRanges' ("10.0.0.0/8") requires`,
    ],
    ['a bad service port', { service: { port: 70000 } }, "'service.port' (70000)"],
    [
      'a bad ingress host',
      { ingress: { enabled: true, tls: false, host: 'Not A Host' } },
      `'ingress.host' ("Not A Host")`,
    ],
    ['a bad version label', { appVersion: 'v 1' }, `'appVersion' ("v 1")`],
    [
      'a bad Google Cloud project',
      { inference: { googleCloudProject: 'Acme' } },
      `'inference.googleCloudProject' ("Acme")`,
    ],
    [
      'alert rules without a PodMonitoring',
      { metrics: { alertRules: { enabled: true } } },
      "'metrics.alertRules.enabled' (true) requires 'metrics.podMonitoring'",
    ],
    [
      'a drift threshold of 0',
      { metrics: { podMonitoring: true, alertRules: { enabled: true, driftPsi: 0 } } },
      "'metrics.alertRules.driftPsi' (0) must be > 0",
    ],
    [
      'an error share above 1',
      { metrics: { podMonitoring: true, alertRules: { enabled: true, errorRatio: 5 } } },
      "'metrics.alertRules.errorRatio' (5) must be in (0, 1]",
    ],
    [
      'a bad alert duration',
      { metrics: { podMonitoring: true, alertRules: { enabled: true, driftFor: '30 minutes' } } },
      `'metrics.alertRules.driftFor' ("30 minutes") must be a duration`,
    ],
    [
      'a payload log share above 1',
      { inference: { payloadLogSample: 1.5 } },
      "'inference.payloadLogSample' (1.5) is refused by the service: PAYLOAD_LOG_SAMPLE",
    ],
    [
      'a negative model poll interval',
      { inference: { modelPollIntervalSeconds: -1 } },
      "'inference.modelPollIntervalSeconds' (-1) is refused by the service: MODEL_POLL_INTERVAL",
    ],
    [
      'a monitor window that is neither records nor a duration',
      { inference: { monitorWindow: '2 days' } },
      `'inference.monitorWindow' ("2 days") is refused by the service: MONITOR_WINDOW`,
    ],
    [
      'the metrics port on nginx port',
      { metrics: { port: 8080 } },
      "'metrics.port' (8080) must differ from nginx's port 8080",
    ],
    [
      'the metrics port on the service port',
      { inference: { port: 9000 }, metrics: { port: 9000 } },
      "'metrics.port' (9000) must differ from the service's port 'inference.port' (9000)",
    ],
    [
      "the service's port on its operational port",
      { inference: { port: 8083 } },
      "'inference.port' (8083) must differ from the service's operational port 8083 (POD_PORTS.operations)",
    ],
    [
      "the probe port on the service's operational port",
      { inference: { probePort: 8083 } },
      "'inference.probePort' (8083) must differ from the service's operational port 8083",
    ],
    [
      "the metrics port on the service's operational port",
      { metrics: { port: 8083 } },
      "'metrics.port' (8083) must differ from the service's operational port 8083",
    ],
    [
      "the service's port on nginx's HTTPS port",
      { tls: { secretName: 'cert' }, inference: { port: 8443 } },
      "'inference.port' (8443) must differ from nginx's HTTPS port 8443",
    ],
    [
      "the metrics port on nginx's HTTPS port",
      { tls: { secretName: 'cert' }, metrics: { port: 8443 } },
      "'metrics.port' (8443) must differ from nginx's HTTPS port 8443",
    ],
    ['a bad metrics port', { metrics: { port: 0 } }, "'metrics.port' (0)"],
    [
      'a bad scraper namespace',
      { metrics: { scraperNamespaces: ['GMP'] } },
      `'metrics.scraperNamespaces[0]' ("GMP")`,
    ],
    [
      'a bad scrape interval',
      { metrics: { scrapeInterval: '30' } },
      `'metrics.scrapeInterval' ("30")`,
    ],
    [
      'a PodMonitoring without metrics',
      { metrics: { enabled: false, podMonitoring: true } },
      "'metrics.podMonitoring' (true) requires 'metrics.enabled'",
    ],
    [
      'a derived nginx metrics option',
      { nginx: { metricsPort: 9100 } as never },
      "'nginx.metricsPort' (9100) is derived",
    ],
  ])('%s', (_case, props, message) => {
    const construct = build(props);
    expect(construct).toThrow(InvalidPropError);
    expect(construct).toThrow(message);
  });

  it('accepts the defaults', () => {
    expect(build({})).not.toThrow();
  });
});

describe('invalid images and placement throw, naming the prop and its value', () => {
  const DIGEST = `sha256:${'a'.repeat(64)}`;
  it.each<[string, Partial<InferenceWorkloadProps>, string]>([
    ['an image without tag or digest', { image: 'acme/inference' }, `'image' ("acme/inference")`],
    [
      'a short digest',
      { image: 'acme/inference@sha256:abc' },
      `'image' ("acme/inference@sha256:abc") must be an image reference with a pinned tag or digest`,
    ],
    [
      'an uppercase repository',
      { image: `acme/Inference@${DIGEST}` },
      `'image' ("acme/Inference@${DIGEST}")`,
    ],
    [
      'an unpinned nginx image',
      { nginxImage: 'nginxinc/nginx-unprivileged' },
      `'nginxImage' ("nginxinc/nginx-unprivileged")`,
    ],
    [
      'nginx :latest',
      { nginxImage: 'nginxinc/nginx-unprivileged:latest' },
      `'nginxImage' ("nginxinc/nginx-unprivileged:latest")`,
    ],
    [
      'minZones with a soft zone spread',
      { topologySpread: { minZones: 2 } },
      "'topologySpread.minZones' (2) requires 'topologySpread.zones' DoNotSchedule",
    ],
    [
      'zero minZones',
      { topologySpread: { zones: 'DoNotSchedule', minZones: 0 } },
      "'topologySpread.minZones' (0) must be an integer",
    ],
  ])('%s', (_case, props, message) => {
    const construct = build(props);
    expect(construct).toThrow(InvalidPropError);
    expect(construct).toThrow(message);
  });

  it.each([
    `acme/inference@${DIGEST}`,
    `acme/inference:1.0.0@${DIGEST}`,
    'localhost:5000/team/inference:dev',
    `nginxinc/nginx-unprivileged:latest@${DIGEST}`,
  ])('accepts %s', (image) => {
    expect(build({ image })).not.toThrow();
  });
});

describe('what the service would refuse, synth refuses (the contract of @modelship/contract)', () => {
  it.each<[string, Partial<InferenceWorkloadProps>, string]>([
    [
      'a batch the service caps',
      { inference: { maxBatch: 2_000_000 } },
      "'inference.maxBatch' (2000000) is refused by the service: MAX_BATCH Too big: expected number to be <=1000000",
    ],
    [
      'a keep-alive over the service bound',
      { inference: { keepaliveTimeoutSeconds: 4000 } },
      "'inference.keepaliveTimeoutSeconds' (4000) is refused by the service: KEEPALIVE_TIMEOUT",
    ],
    [
      'a zero queue',
      { inference: { maxQueueRows: 0 } },
      "'inference.maxQueueRows' (0) is refused by the service: MAX_QUEUE",
    ],
    [
      'a drain longer than the service allows, derived from nginx and the load balancer lag',
      {
        termination: { loadBalancerLagSeconds: 300 },
        nginx: { workerShutdownTimeoutSeconds: 3400 },
      },
      "'termination.loadBalancerLagSeconds + nginx.workerShutdownTimeoutSeconds' (3702) is refused by the service: SHUTDOWN_DELAY",
    ],
  ])('%s', (_name, props, message) => {
    expect(build(props)).toThrow(InvalidPropError);
    expect(build(props)).toThrow(message);
  });

  it('passes the service settings it types, and only those, to the container', () => {
    const chart = Testing.chart();
    new InferenceWorkload(chart, 'w', {
      image: IMAGE,
      tls: false,
      inference: { batching: false, maxQueueRows: 500, ortIntraOpThreads: 2 },
    });
    const deployment = Testing.synth(chart).find((o) => o.kind === 'Deployment');
    const env: { name: string; value: string }[] =
      deployment?.spec.template.spec.containers.find(
        (c: { name: string }) => c.name === 'inference',
      ).env ?? [];
    expect(Object.fromEntries(env.map((e) => [e.name, e.value]))).toMatchObject({
      BATCHING: 'off',
      MAX_QUEUE: '500',
      ORT_INTRA_OP_THREADS: '2',
    });
  });

  it('refuses every contract variable in inference.env, typed or not', () => {
    expect(build({ inference: { env: { MAX_QUEUE: '5' } } })).toThrow(
      `'inference.env.MAX_QUEUE' ("5") is set by the construct; use the typed prop instead`,
    );
  });
});
