import { createHash } from 'node:crypto';
import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { InferenceWorkload } from './inference-workload.ts';
import { NGINX_CONF_CHECKSUM_ANNOTATION } from './metadata.ts';
import { renderNginxConf } from './nginx-conf.ts';
import { allPolicyViolations } from './testing/policy.ts';
import { DEFAULT_CONNECTION_LIMIT, DEFAULT_RATE_LIMIT } from './workload-nginx.ts';
import { DEFAULT_RESOURCES } from './workload-placement.ts';
import type { InferenceWorkloadProps } from './workload-settings.ts';

const IMAGE = 'europe-west1-docker.pkg.dev/acme/models/inference:1.0.0';
const SERVICE_ROUTES = ['/healthz', '/readyz'];

// biome-ignore lint/suspicious/noExplicitAny: synthesized manifests are untyped JSON
type Manifest = any;

function synth(props: Partial<InferenceWorkloadProps> = {}) {
  const chart = Testing.chart();
  const workload = new InferenceWorkload(chart, 'workload', { image: IMAGE, tls: false, ...props });
  const objects: Manifest[] = Testing.synth(chart);
  const one = (kind: string): Manifest => {
    const found = objects.filter((o) => o.kind === kind);
    expect(found, kind).toHaveLength(1);
    return found[0];
  };
  const deployment = one('Deployment');
  const pod = deployment.spec.template.spec;
  const container = (name: string) => pod.containers.find((c: Manifest) => c.name === name);
  const env = (name: string) =>
    container('inference').env.find((e: { name: string }) => e.name === name)?.value;
  return { workload, objects, one, deployment, pod, container, env };
}

describe('InferenceWorkload defaults', () => {
  const { objects, one, deployment, pod, container, env } = synth();

  it('synthesizes one of each object, no Ingress and no custom resource', () => {
    expect(objects.map((o) => o.kind).sort()).toEqual([
      'ConfigMap',
      'Deployment',
      'HorizontalPodAutoscaler',
      'NetworkPolicy',
      'PodDisruptionBudget',
      'Service',
      'ServiceAccount',
    ]);
  });

  it('passes every policy check', () => {
    expect(allPolicyViolations(objects, SERVICE_ROUTES)).toEqual([]);
  });

  it('runs nginx (pinned, unprivileged, port 8080) in front of the service on 127.0.0.1:8081', () => {
    expect(pod.containers.map((c: Manifest) => c.name)).toEqual(['nginx', 'inference']);
    expect(container('nginx').image).toMatch(/^nginxinc\/nginx-unprivileged:\d+\.\d+\.\d+-trixie$/);
    expect(container('nginx').ports).toEqual([
      { name: 'http', containerPort: 8080, protocol: 'TCP' },
      { name: 'metrics', containerPort: 9090, protocol: 'TCP' },
    ]);
    expect(container('inference').image).toBe(IMAGE);
    // The service's only pod-IP port is its probe port (for the kubelet's liveness probe).
    expect(container('inference').ports).toEqual([
      { name: 'probes', containerPort: 8082, protocol: 'TCP' },
    ]);
    expect(env('HOST')).toBe('127.0.0.1');
    expect(env('PORT')).toBe('8081');
  });

  it('sets the service contract environment and nothing else', () => {
    expect(
      Object.fromEntries(container('inference').env.map((e: Manifest) => [e.name, e.value])),
    ).toEqual({
      PORT: '8081',
      HOST: '127.0.0.1',
      BODY_LIMIT: '1048576',
      SHUTDOWN_DELAY: '22',
      SHUTDOWN_TIMEOUT: '20',
      SHUTDOWN_READINESS: 'fail',
      PROBE_PORT: '8082',
      OPS_PORT: '8083',
      KEEPALIVE_TIMEOUT: '65',
      MAX_BATCH: '1000',
      LOG_LEVEL: 'info',
    });
  });

  it('ships nginx.conf in a ConfigMap mounted read-only, and writable emptyDirs', () => {
    const cm = one('ConfigMap');
    expect(cm.data['nginx.conf']).toBe(
      renderNginxConf({
        upstreamPort: 8081,
        bodyLimitBytes: 1048576,
        realIp: false,
        workerProcesses: 1,
      }),
    );
    const volume = pod.volumes.find((v: Manifest) => v.configMap?.name === cm.metadata.name);
    const mounts = container('nginx').volumeMounts;
    expect(mounts).toContainEqual({
      name: volume.name,
      mountPath: '/etc/nginx/modelship',
      readOnly: true,
    });
    expect(container('nginx').command).toEqual([
      'nginx',
      '-c',
      '/etc/nginx/modelship/nginx.conf',
      '-g',
      'daemon off;',
    ]);
    for (const path of ['/tmp', '/var/cache/nginx']) {
      const mount = mounts.find((m: Manifest) => m.mountPath === path);
      expect(pod.volumes.find((v: Manifest) => v.name === mount.name).emptyDir).toBeDefined();
    }
  });

  it('rolls the pods when nginx.conf changes (checksum annotation)', () => {
    const checksum = createHash('sha256').update(one('ConfigMap').data['nginx.conf']).digest('hex');
    expect(deployment.spec.template.metadata.annotations[NGINX_CONF_CHECKSUM_ANNOTATION]).toBe(
      checksum,
    );
    const other = synth({ nginx: { workerProcesses: 3 } }).deployment;
    expect(other.spec.template.metadata.annotations[NGINX_CONF_CHECKSUM_ANNOTATION]).not.toBe(
      checksum,
    );
  });

  it('probes: nginx its own health location, /readyz through nginx, /healthz directly', () => {
    const probe = (c: string, kind: string) => container(c)[kind]?.httpGet;
    expect(probe('nginx', 'livenessProbe')).toMatchObject({ path: '/nginx-health', port: 8080 });
    expect(probe('inference', 'startupProbe')).toMatchObject({ path: '/readyz', port: 8080 });
    expect(probe('inference', 'readinessProbe')).toMatchObject({ path: '/readyz', port: 8080 });
    expect(probe('inference', 'livenessProbe')).toMatchObject({ path: '/healthz', port: 8082 });
    const nginxLiveness = container('nginx').livenessProbe;
    expect(nginxLiveness.periodSeconds * nginxLiveness.failureThreshold).toBeGreaterThanOrEqual(60);
    const liveness = container('inference').livenessProbe;
    expect(liveness.periodSeconds * liveness.failureThreshold).toBeGreaterThanOrEqual(60);
    const startup = container('inference').startupProbe;
    expect(startup.periodSeconds * startup.failureThreshold).toBeGreaterThanOrEqual(120);
  });

  it('terminates in order: nginx drains for the lag, the service outlives it, grace covers all', () => {
    const hook = container('nginx').lifecycle.preStop.exec.command;
    expect(hook.slice(-2)).toEqual(['/tmp/modelship-draining', '10']);
    expect(container('inference').lifecycle).toBeUndefined();
    // SHUTDOWN_DELAY (22) = lag (10) + nginx's worker_shutdown_timeout (10) + 2.
    expect(pod.terminationGracePeriodSeconds).toBe(22 + 20 + 5);
  });

  it('rolls out without taking a pod away first, and leaves replicas to the HPA', () => {
    expect(deployment.spec.strategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 },
    });
    expect(deployment.spec.replicas).toBeUndefined();
  });

  it('runs as fixed non-root users with a restricted security context', () => {
    expect(pod.securityContext).toEqual({
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container('nginx').securityContext).toMatchObject({ runAsUser: 101, runAsGroup: 101 });
    expect(container('inference').securityContext).toMatchObject({
      runAsUser: 1000,
      runAsGroup: 1000,
    });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(one('ServiceAccount').automountServiceAccountToken).toBe(false);
    expect(pod.serviceAccountName).toBe(one('ServiceAccount').metadata.name);
  });

  it("requests at least GKE Autopilot's pod minimum (250m CPU, 512 MiB)", () => {
    const sum = (unit: string, key: string) =>
      pod.containers.reduce(
        (total: number, c: Manifest) => total + Number.parseInt(c.resources.requests[key], 10),
        0,
      ) + unit;
    expect(Number.parseInt(sum('', 'cpu'), 10)).toBeGreaterThanOrEqual(250);
    expect(Number.parseInt(sum('', 'memory'), 10)).toBeGreaterThanOrEqual(512);
  });

  it('spreads pods across zones and nodes', () => {
    expect(pod.topologySpreadConstraints.map((t: Manifest) => t.topologyKey)).toEqual([
      'topology.kubernetes.io/zone',
      'kubernetes.io/hostname',
    ]);
  });

  it('exposes port 80 → nginx through a backend-service-based external load balancer', () => {
    const svc = one('Service');
    expect(svc.spec.type).toBe('LoadBalancer');
    expect(svc.spec.ports).toEqual([
      { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' },
    ]);
    expect(svc.metadata.annotations).toEqual({ 'cloud.google.com/l4-rbs': 'enabled' });
    expect(svc.spec.externalTrafficPolicy).toBe('Cluster');
  });

  it('autoscales on CPU with fast, bounded scale-up and stabilized scale-down', () => {
    const hpa = one('HorizontalPodAutoscaler');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec.scaleTargetRef).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: deployment.metadata.name,
    });
    expect([hpa.spec.minReplicas, hpa.spec.maxReplicas]).toEqual([2, 10]);
    expect(hpa.spec.metrics).toEqual([
      {
        type: 'ContainerResource',
        containerResource: {
          name: 'cpu',
          container: 'inference',
          target: { type: 'Utilization', averageUtilization: 70 },
        },
      },
    ]);
    expect(hpa.spec.behavior.scaleUp.stabilizationWindowSeconds).toBe(0);
    expect(hpa.spec.behavior.scaleUp.policies.length).toBeGreaterThan(0);
    expect(hpa.spec.behavior.scaleDown.stabilizationWindowSeconds).toBe(300);
  });

  it('allows ingress to port 8080, to the metrics port from the GMP collectors only, and no egress', () => {
    const np = one('NetworkPolicy');
    expect(np.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(np.spec.ingress).toEqual([
      { ports: [{ protocol: 'TCP', port: 8080 }] },
      {
        from: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'gke-gmp-system' } },
          },
          { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'gmp-system' } } },
        ],
        ports: [{ protocol: 'TCP', port: 9090 }],
      },
    ]);
    expect(np.spec.egress).toEqual([]);
  });

  it('serves metrics on the metrics port only, and creates no PodMonitoring (a CRD) by default', () => {
    const conf = one('ConfigMap').data['nginx.conf'] as string;
    const servers = conf.split(/^ {2}server \{$/m).slice(1);
    expect(servers).toHaveLength(2);
    const [main, metrics] = servers as [string, string];
    expect(main).toMatch(/listen 8080 default_server;/);
    expect(main).toMatch(
      /location \^~ \/metrics \{\s+default_type application\/json;[^}]*return 404 /,
    );
    expect(metrics).toMatch(/listen 9090;/);
    expect(metrics).toMatch(/location = \/metrics \{\s+proxy_pass http:\/\/127\.0\.0\.1:8083;/);
    expect(metrics).toMatch(/location = \/monitoring \{\s+proxy_pass http/);
    expect(metrics).toMatch(
      /location = \/admin\/reload \{\s+limit_except POST \{\s+deny all;\s+\}\s+proxy_pass h/,
    );
    // The metrics, the drift page and the reload route, nothing else.
    expect(metrics.match(/proxy_pass/g)).toHaveLength(3);
    expect(objects.some((o: Manifest) => o.kind === 'PodMonitoring')).toBe(false);
  });

  it('labels everything with app.kubernetes.io/* and no model annotations without a model', () => {
    for (const obj of objects)
      expect(obj.metadata.labels['app.kubernetes.io/part-of']).toBe('modelship');
    expect(deployment.metadata.annotations).toBeUndefined();
  });
});

describe('InferenceWorkload props', () => {
  it('model → name, version and fingerprint annotations and the version label', () => {
    const { deployment } = synth({
      model: { name: 'insurance-charges', version: '1.2.0', fingerprint: 'ab12' },
    });
    const expected = {
      'modelship.dev/model-name': 'insurance-charges',
      'modelship.dev/model-version': '1.2.0',
      'modelship.dev/model-fingerprint': 'ab12',
    };
    expect(deployment.metadata.annotations).toEqual(expected);
    expect(deployment.spec.template.metadata.annotations).toMatchObject(expected);
    expect(deployment.spec.template.metadata.labels['app.kubernetes.io/version']).toBe('1.2.0');
    expect(deployment.spec.selector.matchLabels['app.kubernetes.io/version']).toBeUndefined();
  });

  it('name and namespace → every object', () => {
    const { objects } = synth({ name: 'insurance', namespace: 'models' });
    for (const obj of objects) {
      expect(obj.metadata.name).toMatch(/^insurance(-nginx)?$/);
      expect(obj.metadata.namespace).toBe('models');
    }
  });

  it('inference settings → env, nginx body limit and upstream port', () => {
    const { env, one, pod } = synth({
      inference: {
        port: 9000,
        bodyLimitBytes: 4096,
        maxBatch: 50,
        logLevel: 'debug',
        modelDir: '/models/x',
        googleCloudProject: 'acme-prod',
        monitorWindow: '15m',
        payloadLogSample: 0.05,
        modelPollIntervalSeconds: 30,
        env: { FOO: 'bar' },
      },
    });
    expect([env('MONITOR_WINDOW'), env('PAYLOAD_LOG_SAMPLE')]).toEqual(['15m', '0.05']);
    expect(env('MODEL_POLL_INTERVAL')).toBe('30');
    expect([env('PORT'), env('BODY_LIMIT'), env('PROBE_PORT')]).toEqual(['9000', '4096', '8082']);
    expect([
      env('MAX_BATCH'),
      env('LOG_LEVEL'),
      env('MODEL_DIR'),
      env('GOOGLE_CLOUD_PROJECT'),
      env('FOO'),
    ]).toEqual(['50', 'debug', '/models/x', 'acme-prod', 'bar']);
    const conf = one('ConfigMap').data['nginx.conf'];
    expect(conf).toContain('client_max_body_size 4096;');
    expect(conf).toContain('server 127.0.0.1:9000;');
    expect(pod.terminationGracePeriodSeconds).toBe(47);
  });

  it('the termination sequence: every number derived from the lag and the two drains', () => {
    const { env, container, pod, one } = synth({
      termination: { loadBalancerLagSeconds: 15, drainTimeoutSeconds: 30 },
      nginx: { workerShutdownTimeoutSeconds: 8 },
    });
    // nginx: drain marker, then serve on (Connection: close) through the load balancer's lag.
    const hook = container('nginx').lifecycle.preStop.exec.command;
    expect(hook).toEqual([
      '/bin/sh',
      '-c',
      'touch "$1" && exec sleep "$2"',
      'drain',
      '/tmp/modelship-draining',
      '15',
    ]);
    const conf = one('ConfigMap').data['nginx.conf'];
    expect(conf).toContain('if (-f /tmp/modelship-draining) {');
    expect(conf).toContain('worker_shutdown_timeout 8s;');
    // The service outlives nginx's preStop and graceful stop, then drains.
    expect([env('SHUTDOWN_DELAY'), env('SHUTDOWN_TIMEOUT'), env('SHUTDOWN_READINESS')]).toEqual([
      '25',
      '30',
      'fail',
    ]);
    expect(pod.terminationGracePeriodSeconds).toBe(25 + 30 + 5);
  });

  it('externalTrafficPolicy Local → a longer lag, and ready while terminating', () => {
    const { env, container, one } = synth({ service: { externalTrafficPolicy: 'Local' } });
    expect(one('Service').spec.externalTrafficPolicy).toBe('Local');
    expect(container('nginx').lifecycle.preStop.exec.command.at(-1)).toBe('30');
    expect([env('SHUTDOWN_DELAY'), env('SHUTDOWN_READINESS')]).toEqual(['42', 'keep']);
  });

  it('an Ingress in front (NEGs) → a 30 s lag, the rest of the timeline after it', () => {
    const { env, container, pod } = synth({ ingress: { enabled: true, tls: false } });
    expect(container('nginx').lifecycle.preStop.exec.command.at(-1)).toBe('30');
    expect([env('SHUTDOWN_DELAY'), env('SHUTDOWN_READINESS')]).toEqual(['42', 'fail']);
    expect(pod.terminationGracePeriodSeconds).toBe(42 + 20 + 5);
    // Declared for a Gateway of one's own in front of a ClusterIP Service; a set lag wins.
    const gateway = synth({ termination: { containerNativeLoadBalancing: true } });
    expect(gateway.container('nginx').lifecycle.preStop.exec.command.at(-1)).toBe('30');
    const own = synth({
      ingress: { enabled: true, tls: false },
      termination: { loadBalancerLagSeconds: 12 },
    });
    expect(own.container('nginx').lifecycle.preStop.exec.command.at(-1)).toBe('12');
  });

  it('the load balancers in front → nginx keep-alive and real-IP settings', () => {
    const passthrough = synth({}).one('ConfigMap').data['nginx.conf'];
    expect(passthrough).toContain('keepalive_timeout 75s;');
    expect(passthrough).not.toContain('set_real_ip_from');
    const { one } = synth({ ingress: { enabled: true, tls: false } });
    const behindIngress = one('ConfigMap').data['nginx.conf'];
    expect(behindIngress).toContain('keepalive_timeout 620s;');
    expect(behindIngress).toContain('set_real_ip_from 35.191.0.0/16;');
    expect(behindIngress).toContain('real_ip_header X-Client-Ip;');
    expect(one('BackendConfig').spec.customRequestHeaders).toEqual({
      headers: ['X-Client-Ip:{client_ip_address}'],
    });
    // Draining for as long as the pod serves: the NEG lag (30) + nginx's stop (10) + 2.
    expect(one('BackendConfig').spec.connectionDraining).toEqual({ drainingTimeoutSec: 42 });
    // What the user sets wins.
    const own = synth({ nginx: { clientKeepaliveTimeoutSeconds: 300, realIp: {} } });
    expect(own.one('ConfigMap').data['nginx.conf']).toContain('keepalive_timeout 300s;');
    expect(own.one('ConfigMap').data['nginx.conf']).toContain('real_ip_header X-Forwarded-For;');
  });

  it('liveness of the service on its probe port, not through nginx', () => {
    const { container } = synth({ inference: { probePort: 8090 } });
    expect(container('inference').livenessProbe.httpGet).toMatchObject({
      path: '/healthz',
      port: 8090,
    });
    expect(container('inference').readinessProbe.httpGet).toMatchObject({
      path: '/readyz',
      port: 8080,
    });
    expect(container('inference').ports).toEqual([
      { name: 'probes', containerPort: 8090, protocol: 'TCP' },
    ]);
  });

  it('resources → requests and limits', () => {
    const amounts = { cpuMillis: 250, memoryMiB: 300, ephemeralStorageMiB: 100 };
    const { container } = synth({
      resources: { inference: { requests: amounts, limits: { ...amounts, cpuMillis: 2000 } } },
    });
    expect(container('inference').resources).toEqual({
      requests: { cpu: '250m', memory: '300Mi', 'ephemeral-storage': '100Mi' },
      limits: { cpu: '2000m', memory: '300Mi', 'ephemeral-storage': '100Mi' },
    });
  });

  it.each([
    ['requestsPerSecond', 'prometheus.googleapis.com|http_requests_total|counter', 80],
    ['inFlight', 'prometheus.googleapis.com|http_requests_in_flight|gauge', 2.5],
  ] as const)('autoscaling.requests %s → a Pods metric beside CPU', (signal, name, target) => {
    const { one, objects } = synth({
      autoscaling: { requests: { signal, targetPerPod: target } },
      metrics: { podMonitoring: true },
    });
    const metrics = one('HorizontalPodAutoscaler').spec.metrics;
    expect(metrics[0].type).toBe('ContainerResource');
    expect(metrics[1]).toEqual({
      type: 'Pods',
      pods: { metric: { name }, target: { type: 'AverageValue', averageValue: String(target) } },
    });
    expect(allPolicyViolations(objects, SERVICE_ROUTES)).toEqual([]);
  });

  it('autoscaling.requests without managed collection, or with a bad target, is refused', () => {
    const requests = { signal: 'inFlight', targetPerPod: 4 } as const;
    expect(() => synth({ autoscaling: { requests } })).toThrow(
      "'autoscaling.requests' (\"inFlight\") needs 'metrics.podMonitoring'",
    );
    expect(() =>
      synth({
        autoscaling: { requests: { ...requests, targetPerPod: 0 } },
        metrics: { podMonitoring: true },
      }),
    ).toThrow("'autoscaling.requests.targetPerPod' (0)");
  });

  it('autoscaling → HPA bounds, target and behaviour', () => {
    const { one } = synth({
      autoscaling: {
        minReplicas: 3,
        maxReplicas: 30,
        cpuUtilizationPercent: 60,
        scaleDownStabilizationSeconds: 120,
        scaleDownMaxPercentPerMinute: 20,
        scaleUpMaxPodsPer15Seconds: 8,
      },
    });
    const spec = one('HorizontalPodAutoscaler').spec;
    expect([
      spec.minReplicas,
      spec.maxReplicas,
      spec.metrics[0].containerResource.target.averageUtilization,
    ]).toEqual([3, 30, 60]);
    expect(spec.behavior.scaleDown).toMatchObject({
      stabilizationWindowSeconds: 120,
      policies: [{ type: 'Percent', value: 20 }],
    });
    expect(spec.behavior.scaleUp.policies).toContainEqual({
      type: 'Pods',
      value: 8,
      periodSeconds: 15,
    });
  });

  it('service → internal load balancer, source ranges, extra annotations', () => {
    const svc = synth({
      service: {
        loadBalancer: 'internal',
        loadBalancerSourceRanges: ['10.0.0.0/8'],
        annotations: { a: 'b' },
      },
    }).one('Service');
    expect(svc.metadata.annotations).toEqual({
      'networking.gke.io/load-balancer-type': 'Internal',
      a: 'b',
    });
    expect(svc.spec.loadBalancerSourceRanges).toEqual(['10.0.0.0/8']);
  });

  it('service → plain ClusterIP without load-balancer fields', () => {
    const svc = synth({ service: { type: 'ClusterIP', port: 8000 } }).one('Service');
    expect(svc.spec.type).toBe('ClusterIP');
    expect(svc.spec.ports[0].port).toBe(8000);
    expect(svc.spec.externalTrafficPolicy).toBeUndefined();
    expect(svc.metadata.annotations).toBeUndefined();
  });

  it('service → classic (target-pool) load balancer when backendServiceBased is false', () => {
    expect(
      synth({ service: { backendServiceBased: false } }).one('Service').metadata.annotations,
    ).toBeUndefined();
  });

  it('ingress → GKE Ingress with NEGs and a BackendConfig probing /readyz', () => {
    const { objects, one } = synth({
      name: 'ins',
      ingress: { enabled: true, tls: false, host: 'api.example.com', staticIpName: 'ins-ip' },
    });
    const svc = one('Service');
    expect(JSON.parse(svc.metadata.annotations['cloud.google.com/neg'])).toEqual({ ingress: true });
    expect(JSON.parse(svc.metadata.annotations['cloud.google.com/backend-config'])).toEqual({
      default: 'ins-backendconfig',
    });
    const bc = one('BackendConfig');
    expect(bc.apiVersion).toBe('cloud.google.com/v1');
    expect(bc.spec.healthCheck).toMatchObject({ requestPath: '/readyz', port: 8080, type: 'HTTP' });
    const ingress = one('Ingress');
    expect(ingress.metadata.annotations).toEqual({
      'kubernetes.io/ingress.class': 'gce',
      'kubernetes.io/ingress.global-static-ip-name': 'ins-ip',
    });
    expect(ingress.spec.rules[0]).toMatchObject({ host: 'api.example.com' });
    expect(ingress.spec.rules[0].http.paths[0].backend.service).toEqual({
      name: 'ins',
      port: { number: 80 },
    });
    expect(allPolicyViolations(objects, SERVICE_ROUTES)).toEqual([]);
  });

  it('nginx → options reach nginx.conf', () => {
    const conf = synth({
      service: { externalTrafficPolicy: 'Local' },
      nginx: { rateLimit: { requestsPerSecond: 7 }, connectionLimit: false, workerProcesses: 3 },
    }).one('ConfigMap').data['nginx.conf'];
    expect(conf).toContain('rate=7r/s');
    expect(conf).not.toContain('limit_conn ');
    expect(conf).toContain('worker_processes 3;');
  });

  it("nginx's workers follow its container's CPU limit, one per whole CPU, unless set", () => {
    const workers = (props: Parameters<typeof synth>[0]) =>
      /worker_processes (\d+);/.exec(synth(props).one('ConfigMap').data['nginx.conf'])?.[1];
    const nginxLimit = (cpuMillis: number) => ({
      resources: {
        nginx: {
          requests: { ...DEFAULT_RESOURCES.nginx.requests, cpuMillis: 100 },
          limits: { ...DEFAULT_RESOURCES.nginx.limits, cpuMillis },
        },
      },
    });
    expect(DEFAULT_RESOURCES.nginx.limits.cpuMillis).toBe(500);
    expect(workers({})).toBe('1');
    expect(workers(nginxLimit(1000))).toBe('1');
    expect(workers(nginxLimit(1500))).toBe('2');
    expect(workers({ ...nginxLimit(1500), nginx: { workerProcesses: 4 } })).toBe('4');
  });

  it('apiKeys → the key Secret mounted read-only as a directory, API_KEYS_FILE naming its file', () => {
    const { env, pod, container, objects } = synth({
      apiKeys: { secretName: 'insurance-api-keys', open: ['docs'], requestsPerSecond: 5 },
    });
    expect(env('API_KEYS_FILE')).toBe('/etc/modelship/api-keys/keys');
    expect([env('API_KEYS_OPEN'), env('API_KEYS_RATE'), env('API_KEYS_BURST')]).toEqual([
      'docs',
      '5',
      undefined,
    ]);
    expect(pod.volumes).toContainEqual({
      name: 'api-keys',
      secret: { secretName: 'insurance-api-keys', items: [{ key: 'keys', path: 'keys' }] },
    });
    // No subPath: kubelet swaps a changed Secret into the directory (rotation without restart).
    expect(container('inference').volumeMounts).toContainEqual({
      name: 'api-keys',
      mountPath: '/etc/modelship/api-keys',
      readOnly: true,
    });
    expect(container('nginx').volumeMounts.map((m: Manifest) => m.name)).not.toContain('api-keys');
    expect(allPolicyViolations(objects, SERVICE_ROUTES)).toEqual([]);
    // Off by default: no variable, no volume.
    const off = synth();
    expect(off.env('API_KEYS_FILE')).toBeUndefined();
    expect(off.pod.volumes.map((v: Manifest) => v.name)).not.toContain('api-keys');
  });

  it('ingress.iap → the BackendConfig turns Identity-Aware Proxy on with the OAuth client Secret', () => {
    const { one, objects } = synth({
      ingress: {
        enabled: true,
        tls: { domains: ['api.example.com'] },
        iap: { oauthClientSecretName: 'insurance-oauth' },
      },
    });
    expect(one('BackendConfig').spec.iap).toEqual({
      enabled: true,
      oauthclientCredentials: { secretName: 'insurance-oauth' },
    });
    // The Service names the BackendConfig, so IAP guards its backend.
    expect(one('Service').metadata.annotations['cloud.google.com/backend-config']).toContain(
      one('BackendConfig').metadata.name,
    );
    expect(allPolicyViolations(objects, SERVICE_ROUTES)).toEqual([]);
    const plain = synth({ ingress: { enabled: true, tls: false } }).one('BackendConfig');
    expect(plain.spec.iap).toBeUndefined();
  });

  it("per-address limits by default wherever nginx sees the client's address", () => {
    const limits = (props: Partial<InferenceWorkloadProps>) => {
      const conf = synth(props).one('ConfigMap').data['nginx.conf'] as string;
      return [
        conf.includes(`rate=${DEFAULT_RATE_LIMIT.requestsPerSecond}r/s`),
        conf.includes(`limit_conn modelship_per_address ${DEFAULT_CONNECTION_LIMIT.perAddress};`),
      ];
    };
    // Passthrough with Local (no SNAT) and behind the Ingress (its client-address header): on.
    expect(limits({ service: { externalTrafficPolicy: 'Local' } })).toEqual([true, true]);
    expect(limits({ ingress: { enabled: true, tls: false } })).toEqual([true, true]);
    // Passthrough with Cluster (nodes SNAT) and ClusterIP (a proxy or port-forward): off.
    expect(limits({})).toEqual([false, false]);
    expect(limits({ service: { type: 'ClusterIP' } })).toEqual([false, false]);
    // Asked for on ClusterIP (in-cluster callers are seen as they are): as asked.
    const asked = synth({
      service: { type: 'ClusterIP' },
      nginx: { connectionLimit: { perAddress: 8 } },
    }).one('ConfigMap').data['nginx.conf'];
    expect(asked).toContain('limit_conn modelship_per_address 8;');
  });

  it('topologySpread, maxSurge, PDB, egress, service account annotations, pull policy', () => {
    const { pod, deployment, one, container } = synth({
      topologySpread: { zones: 'DoNotSchedule' },
      maxSurge: 2,
      maxUnavailableDuringDisruption: 3,
      egress: 'dns',
      serviceAccountAnnotations: {
        'iam.gke.io/gcp-service-account': 'sa@acme.iam.gserviceaccount.com',
      },
      imagePullPolicy: 'Always',
      nginxImage: 'nginxinc/nginx-unprivileged:1.29.0-bookworm',
    });
    expect(pod.topologySpreadConstraints[0].whenUnsatisfiable).toBe('DoNotSchedule');
    expect(pod.topologySpreadConstraints[1].whenUnsatisfiable).toBe('ScheduleAnyway');
    expect(deployment.spec.strategy.rollingUpdate).toEqual({ maxSurge: 2, maxUnavailable: 0 });
    expect(one('PodDisruptionBudget').spec.maxUnavailable).toBe(3);
    expect(one('NetworkPolicy').spec.egress[0].ports).toEqual([
      { protocol: 'UDP', port: 53 },
      { protocol: 'TCP', port: 53 },
    ]);
    expect(one('ServiceAccount').metadata.annotations).toEqual({
      'iam.gke.io/gcp-service-account': 'sa@acme.iam.gserviceaccount.com',
    });
    expect(container('inference').imagePullPolicy).toBe('Always');
    expect(container('nginx').image).toBe('nginxinc/nginx-unprivileged:1.29.0-bookworm');
  });

  it('appVersion, keep-alive, startup timeout, ingress timeout, traffic policy', () => {
    const { deployment, env, container, one } = synth({
      appVersion: '2026.11.1',
      inference: { keepaliveTimeoutSeconds: 75, startupTimeoutSeconds: 300 },
      ingress: { enabled: true, tls: false, timeoutSeconds: 120 },
      service: { externalTrafficPolicy: 'Local' },
    });
    expect(deployment.metadata.labels['app.kubernetes.io/version']).toBe('2026.11.1');
    expect(env('KEEPALIVE_TIMEOUT')).toBe('75');
    const startup = container('inference').startupProbe;
    expect(startup.periodSeconds * startup.failureThreshold).toBe(300);
    expect(one('BackendConfig').spec.timeoutSec).toBe(120);
    expect(one('Service').spec.externalTrafficPolicy).toBe('Local');
  });

  it('metrics → metrics port, scraper namespaces, PodMonitoring', () => {
    const { container, one } = synth({
      name: 'ins',
      metrics: {
        port: 9102,
        scraperNamespaces: ['monitoring', 'gmp-system'],
        podMonitoring: true,
        scrapeInterval: '15s',
      },
    });
    expect(container('nginx').ports[1]).toEqual({
      name: 'metrics',
      containerPort: 9102,
      protocol: 'TCP',
    });
    expect(one('ConfigMap').data['nginx.conf']).toMatch(/listen 9102;/);
    const np = one('NetworkPolicy');
    expect(np.spec.ingress[1].from.map((p: Manifest) => p.namespaceSelector.matchLabels)).toEqual([
      { 'kubernetes.io/metadata.name': 'monitoring' },
      { 'kubernetes.io/metadata.name': 'gmp-system' },
    ]);
    expect(np.spec.ingress[1].ports).toEqual([{ protocol: 'TCP', port: 9102 }]);
    const pm = one('PodMonitoring');
    expect(pm.apiVersion).toBe('monitoring.googleapis.com/v1');
    expect(pm.metadata.name).toBe('ins');
    expect(pm.spec).toEqual({
      selector: { matchLabels: one('Deployment').spec.selector.matchLabels },
      endpoints: [{ port: 'metrics', path: '/metrics', interval: '15s' }],
    });
  });

  it('metrics.alertRules → a Rules resource beside the PodMonitoring: drift, 5xx share, p99', () => {
    const none = synth({ metrics: { podMonitoring: true } });
    expect(none.objects.some((o: Manifest) => o.kind === 'Rules')).toBe(false);

    const { one } = synth({
      name: 'ins',
      namespace: 'models',
      metrics: {
        podMonitoring: true,
        scrapeInterval: '15s',
        alertRules: { enabled: true, driftPsi: 0.3, driftFor: '1h', p99LatencySeconds: 0.25 },
      },
    });
    const rules = one('Rules');
    expect(rules.apiVersion).toBe('monitoring.googleapis.com/v1');
    expect(rules.metadata).toMatchObject({ name: 'ins', namespace: 'models' });
    const [group] = rules.spec.groups;
    expect(group.interval).toBe('15s');
    const byName = Object.fromEntries(group.rules.map((r: Manifest) => [r.alert, r]));
    expect(Object.keys(byName)).toEqual([
      'ModelshipFeatureDrift',
      'ModelshipServerErrors',
      'ModelshipLatencyP99',
    ]);
    // Only pods whose drift window holds the records its bins need count (the service reports
    // a PSI before that as NaN; the rule does not rely on it).
    expect(byName.ModelshipFeatureDrift).toMatchObject({
      expr: 'max by (feature) (modelship_feature_drift_psi{job="ins"} > 0.3 and on (namespace, instance) (modelship_monitor_window_records{job="ins"} >= modelship_monitor_window_records_needed{job="ins"}))',
      for: '1h',
    });
    // The defaults where nothing was given.
    expect(byName.ModelshipServerErrors.expr).toBe(
      'sum(rate(http_requests_total{job="ins",status=~"5.."}[5m])) / sum(rate(http_requests_total{job="ins"}[5m])) > 0.05',
    );
    expect(byName.ModelshipServerErrors.for).toBe('10m');
    expect(byName.ModelshipLatencyP99.expr).toMatch(
      /^histogram_quantile\(0\.99, sum by \(le\) \(rate\(http_request_duration_seconds_bucket\{job="ins",route=~"[^"]+"\}\[5m\]\)\)\) > 0\.25$/,
    );
    // The job label Managed Prometheus gives the scraped series is the PodMonitoring's name.
    expect(one('PodMonitoring').metadata.name).toBe('ins');
  });

  it('metrics.enabled false → no metrics port, server or ingress rule; still 404 on the public port', () => {
    const { container, one, objects } = synth({ metrics: { enabled: false } });
    expect(container('nginx').ports).toEqual([
      { name: 'http', containerPort: 8080, protocol: 'TCP' },
    ]);
    const conf = one('ConfigMap').data['nginx.conf'] as string;
    expect(conf.match(/^ {2}server \{$/gm)).toHaveLength(1);
    expect(conf).toMatch(/location \^~ \/metrics \{/);
    expect(one('NetworkPolicy').spec.ingress).toEqual([
      { ports: [{ protocol: 'TCP', port: 8080 }] },
    ]);
    expect(objects.some((o: Manifest) => o.kind === 'PodMonitoring')).toBe(false);
  });

  it('termination.gracePeriodSeconds → pod spec', () => {
    expect(
      synth({ termination: { gracePeriodSeconds: 90 } }).pod.terminationGracePeriodSeconds,
    ).toBe(90);
  });

  it('matches the snapshot with every option on', () => {
    const { objects } = synth({
      name: 'snap',
      model: { name: 'insurance-charges', version: '1.0.0', fingerprint: 'f'.repeat(64) },
      ingress: { enabled: true, tls: false },
      egress: 'dns',
      nginx: { rateLimit: { requestsPerSecond: 10 } },
      metrics: { podMonitoring: true, alertRules: { enabled: true } },
    });
    expect(objects).toMatchSnapshot();
  });
});

describe('InferenceWorkload on a real GKE cluster (scrapers, egress, HPA metric, zones, images)', () => {
  const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;
  const WORKLOAD_IDENTITY = {
    'iam.gke.io/gcp-service-account': 'inference@acme-prod.iam.gserviceaccount.com',
  };
  const egress = (props: Partial<InferenceWorkloadProps>) =>
    synth(props).one('NetworkPolicy').spec.egress;
  const DNS_RULE = {
    to: [
      {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
        podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
      },
      {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
        podSelector: { matchLabels: { 'k8s-app': 'node-local-dns' } },
      },
      { ipBlock: { cidr: '169.254.20.10/32' } },
      { ipBlock: { cidr: '169.254.169.254/32' } },
    ],
    ports: [
      { protocol: 'UDP', port: 53 },
      { protocol: 'TCP', port: 53 },
    ],
  };
  const METADATA_RULES = [
    { to: [{ ipBlock: { cidr: '169.254.169.254/32' } }], ports: [{ protocol: 'TCP', port: 80 }] },
    { to: [{ ipBlock: { cidr: '169.254.169.252/32' } }], ports: [{ protocol: 'TCP', port: 988 }] },
  ];

  it("admits GKE managed collection's and self-deployed collectors' namespaces by default", () => {
    const from = synth().one('NetworkPolicy').spec.ingress[1].from;
    expect(from.map((p: Manifest) => p.namespaceSelector.matchLabels)).toEqual([
      { 'kubernetes.io/metadata.name': 'gke-gmp-system' },
      { 'kubernetes.io/metadata.name': 'gmp-system' },
    ]);
  });

  it("egress 'dns' reaches kube-dns, NodeLocal DNSCache and Cloud DNS, and nothing else", () => {
    expect(egress({ egress: 'dns' })).toEqual([DNS_RULE]);
  });

  it('Workload Identity opens DNS and the GKE metadata server (both addresses), unless set false', () => {
    expect(egress({ serviceAccountAnnotations: WORKLOAD_IDENTITY })).toEqual([
      DNS_RULE,
      ...METADATA_RULES,
    ]);
    expect(
      egress({
        serviceAccountAnnotations: WORKLOAD_IDENTITY,
        egress: { dns: false, metadataServer: false },
      }),
    ).toEqual([]);
    expect(egress({ serviceAccountAnnotations: { other: 'x' } })).toEqual([]);
  });

  it('egress options switch DNS and the metadata server one by one', () => {
    expect(egress({ egress: { metadataServer: true } })).toEqual(METADATA_RULES);
    expect(egress({ egress: { dns: true, metadataServer: false } })).toEqual([DNS_RULE]);
  });

  it("autoscales on the inference container's CPU, a container that requests CPU", () => {
    const { one, container } = synth({ autoscaling: { cpuUtilizationPercent: 55 } });
    const metric = one('HorizontalPodAutoscaler').spec.metrics[0];
    expect(metric.type).toBe('ContainerResource');
    expect(metric.containerResource.container).toBe('inference');
    expect(metric.containerResource.target.averageUtilization).toBe(55);
    expect(container(metric.containerResource.container).resources.requests.cpu).toBeDefined();
  });

  it('zones: minZones → minDomains on the zone constraint only; none by default', () => {
    expect(synth().pod.topologySpreadConstraints.map((t: Manifest) => t.minDomains)).toEqual([
      undefined,
      undefined,
    ]);
    const { pod } = synth({ topologySpread: { zones: 'DoNotSchedule', minZones: 2 } });
    expect(pod.topologySpreadConstraints[0]).toMatchObject({
      topologyKey: 'topology.kubernetes.io/zone',
      whenUnsatisfiable: 'DoNotSchedule',
      maxSkew: 1,
      minDomains: 2,
    });
    expect(pod.topologySpreadConstraints[1].minDomains).toBeUndefined();
  });

  it('pulls a tag on every start (a re-pushed tag is not silently ignored), a digest once', () => {
    const tagged = synth();
    expect(tagged.container('inference').imagePullPolicy).toBe('Always');
    expect(tagged.container('nginx').imagePullPolicy).toBe('Always');
    const image = `europe-west1-docker.pkg.dev/acme/models/inference@${DIGEST}`;
    const nginxImage = `nginxinc/nginx-unprivileged:1.30.5-trixie@${DIGEST}`;
    const pinned = synth({ image, nginxImage });
    expect(pinned.container('inference')).toMatchObject({ image, imagePullPolicy: 'IfNotPresent' });
    expect(pinned.container('nginx')).toMatchObject({
      image: nginxImage,
      imagePullPolicy: 'IfNotPresent',
    });
  });

  it('an explicit pull policy wins for either container', () => {
    const { container } = synth({
      imagePullPolicy: 'IfNotPresent',
      nginxImagePullPolicy: 'Never',
    });
    expect(container('inference').imagePullPolicy).toBe('IfNotPresent');
    expect(container('nginx').imagePullPolicy).toBe('Never');
  });
});

describe('InferenceWorkload with tls', () => {
  const { one, container, pod, workload } = synth({ tls: { secretName: 'api-tls' } });

  it('exposes 443 → nginx https and keeps 80 → http (the redirect)', () => {
    expect(one('Service').spec.ports).toEqual([
      { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' },
      { name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' },
    ]);
    expect(container('nginx').ports).toContainEqual({
      name: 'https',
      containerPort: 8443,
      protocol: 'TCP',
    });
    expect(workload.nginxConf).toContain('listen 8443 ssl http2 default_server;');
  });

  it('mounts the Secret read-only in nginx only, without subPath (kubelet updates it in place)', () => {
    expect(pod.volumes).toContainEqual({ name: 'tls', secret: { secretName: 'api-tls' } });
    expect(container('nginx').volumeMounts).toContainEqual({
      name: 'tls',
      mountPath: '/etc/modelship/tls',
      readOnly: true,
    });
    const mounts = container('inference').volumeMounts ?? [];
    expect(mounts.some((m: Manifest) => m.name === 'tls')).toBe(false);
  });

  it('opens the HTTPS port in the NetworkPolicy; probes stay on the plain port', () => {
    const ports = one('NetworkPolicy').spec.ingress[0].ports.map((p: Manifest) => p.port);
    expect(ports).toEqual([8080, 8443]);
    expect(container('nginx').readinessProbe.httpGet.port).toBe(8080);
  });
});

describe('the tls prop', () => {
  const build = (props: Partial<InferenceWorkloadProps>) => () =>
    new InferenceWorkload(Testing.chart(), 'w', { image: IMAGE, ...props });

  it('must be chosen for a LoadBalancer Service: plain HTTP only when asked for', () => {
    expect(build({})).toThrow(/^'tls' \(undefined\) must be set for a LoadBalancer Service/);
    expect(build({ tls: false })).not.toThrow();
    expect(build({ service: { type: 'ClusterIP' } })).not.toThrow();
    expect(build({ service: { type: 'LoadBalancer', loadBalancer: 'internal' } })).toThrow("'tls'");
  });

  it.each<[Partial<InferenceWorkloadProps>, string]>([
    [{ tls: { secretName: 'API_tls' } }, `'tls.secretName' ("API_tls") must be a DNS subdomain`],
    [{ tls: { secretName: '' } }, `'tls.secretName' ("")`],
    [
      { tls: { secretName: 'api-tls' }, ingress: { enabled: true, tls: false } },
      `'tls.secretName' ("api-tls") cannot be used with an Ingress`,
    ],
    [{ tls: { secretName: 'api-tls' }, service: { port: 443 } }, "'service.port' (443)"],
  ])('rejects %j naming the prop', (props, message) => {
    expect(build(props)).toThrow(message);
  });
});

describe('InferenceWorkload with ingress.tls', () => {
  const { objects, one } = synth({
    ingress: {
      enabled: true,
      host: 'api.example.com',
      tls: { domains: ['api.example.com', 'www.example.com'], sslPolicy: 'modern-tls12' },
    },
  });

  it('asks Google for a managed certificate covering the domains', () => {
    const cert = one('ManagedCertificate');
    expect(cert.apiVersion).toBe('networking.gke.io/v1');
    expect(cert.metadata.name).toBe('inference-cert');
    expect(cert.spec).toEqual({ domains: ['api.example.com', 'www.example.com'] });
  });

  it('redirects HTTP to HTTPS with 308 under the SSL policy, bound by the Ingress annotations', () => {
    const frontend = one('FrontendConfig');
    expect(frontend.apiVersion).toBe('networking.gke.io/v1beta1');
    expect(frontend.spec).toEqual({
      redirectToHttps: { enabled: true, responseCodeName: 'PERMANENT_REDIRECT' },
      sslPolicy: 'modern-tls12',
    });
    expect(one('Ingress').metadata.annotations).toMatchObject({
      'networking.gke.io/managed-certificates': 'inference-cert',
      'networking.gke.io/v1beta1.FrontendConfig': 'inference-frontend',
    });
    expect(
      objects.every((o: Manifest) => o.metadata.namespace === one('Ingress').metadata.namespace),
    ).toBe(true);
  });

  it('adds neither object for plain HTTP, which must be asked for', () => {
    const plain = synth({ ingress: { enabled: true, tls: false } }).objects;
    expect(plain.map((o: Manifest) => o.kind)).not.toContain('ManagedCertificate');
    expect(plain.map((o: Manifest) => o.kind)).not.toContain('FrontendConfig');
  });

  it.each<[Partial<InferenceWorkloadProps>, string]>([
    [
      { ingress: { enabled: true } },
      "'ingress.tls' (undefined) must be set when the Ingress is enabled",
    ],
    [
      { ingress: { enabled: true, tls: { domains: [] } } },
      '\'ingress.tls.domains\' ("") must hold 1 to 100',
    ],
    [
      { ingress: { enabled: true, tls: { domains: ['*.example.com'] } } },
      `'ingress.tls.domains[0]' ("*.example.com")`,
    ],
    [
      { ingress: { enabled: true, tls: { domains: ['API.example.com'] } } },
      `'ingress.tls.domains[0]' ("API.example.com")`,
    ],
    [
      { ingress: { enabled: true, tls: { domains: ['localhost'] } } },
      `'ingress.tls.domains[0]' ("localhost") must be a fully qualified`,
    ],
    [
      { ingress: { enabled: true, host: 'a.example.com', tls: { domains: ['b.example.com'] } } },
      `'ingress.host' ("a.example.com") must be one of 'ingress.tls.domains'`,
    ],
    [
      { ingress: { enabled: true, tls: { domains: ['a.example.com'], sslPolicy: 'Modern' } } },
      `'ingress.tls.sslPolicy' ("Modern")`,
    ],
  ])('rejects %j naming the prop', (props, message) => {
    expect(() => synth(props)).toThrow(message);
  });
});
