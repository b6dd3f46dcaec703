import { describe, expect, it } from 'vitest';
import { buildApp } from './app.ts';
import {
  ARTIFACT_REGISTRY_IMAGE,
  artifactRegistryProject,
  ConfigError,
  loadAppConfig,
} from './config.ts';

describe('loadAppConfig', () => {
  it('synthesizes the gke chart with its own image by default', () => {
    expect(loadAppConfig({})).toEqual({
      charts: ['gke'],
      image: undefined,
      googleCloudProject: undefined,
      namespace: undefined,
      modelSource: undefined,
    });
  });

  it('reads CHART (comma-separated), IMAGE and GOOGLE_CLOUD_PROJECT', () => {
    expect(
      loadAppConfig({
        CHART: 'local, gke,local',
        IMAGE: ' acme/x:1 ',
        GOOGLE_CLOUD_PROJECT: 'p-123456',
      }),
    ).toEqual({
      charts: ['local', 'gke'],
      image: 'acme/x:1',
      googleCloudProject: 'p-123456',
      namespace: undefined,
      modelSource: undefined,
    });
  });

  it('reads NGINX_IMAGE, and the chart runs nginx from it', () => {
    const image =
      'us-central1-docker.pkg.dev/acme-ml/dockerhub/nginxinc/nginx-unprivileged:1.30.5-trixie@sha256:'.concat(
        'a'.repeat(64),
      );
    const config = loadAppConfig({ NGINX_IMAGE: ` ${image} ` });
    expect(config.nginxImage).toBe(image);
    const chart = buildApp(config).charts[0];
    const deployment = chart?.toJson().find((o) => o.kind === 'Deployment');
    const nginx = deployment?.spec.template.spec.containers.find(
      (c: { name: string }) => c.name === 'nginx',
    );
    expect(nginx).toMatchObject({ image, imagePullPolicy: 'IfNotPresent' });
    expect(loadAppConfig({ NGINX_IMAGE: '' }).nginxImage).toBeUndefined();
  });

  it('reads API_KEYS_SECRET: the gke pod mounts it and the service requires a key', () => {
    const config = loadAppConfig({ API_KEYS_SECRET: ' insurance-api-keys ' });
    const deployment = buildApp(config)
      .charts[0]?.toJson()
      .find((o) => o.kind === 'Deployment');
    const pod = deployment?.spec.template.spec;
    const inference = pod.containers.find((c: { name: string }) => c.name === 'inference');
    expect(inference.env).toContainEqual({
      name: 'API_KEYS_FILE',
      value: '/etc/modelship/api-keys/keys',
    });
    expect(pod.volumes).toContainEqual(
      expect.objectContaining({
        secret: expect.objectContaining({ secretName: 'insurance-api-keys' }),
      }),
    );
    expect(loadAppConfig({}).apiKeysSecret).toBeUndefined();
    expect(() => loadAppConfig({ API_KEYS_SECRET: 'Keys' })).toThrow(
      'API_KEYS_SECRET="Keys": must be a Secret name',
    );
    // A Secret's name is a DNS subdomain: dots allowed, up to 253 characters.
    expect(loadAppConfig({ API_KEYS_SECRET: 'api-keys.v2' }).apiKeysSecret).toBe('api-keys.v2');
    expect(() => loadAppConfig({ API_KEYS_SECRET: 'keys.' })).toThrow(ConfigError);
    expect(() => loadAppConfig({ API_KEYS_SECRET: `${'a'.repeat(63)}.`.repeat(4) + 'a' })).toThrow(
      ConfigError,
    );
  });

  it('reads NAMESPACE and rejects one Kubernetes would, naming the variable', () => {
    expect(loadAppConfig({ NAMESPACE: ' modelship ' }).namespace).toBe('modelship');
    expect(loadAppConfig({ NAMESPACE: '' }).namespace).toBeUndefined();
    for (const bad of ['Modelship', 'model_ship', '-modelship', 'a'.repeat(64)]) {
      expect(() => loadAppConfig({ NAMESPACE: bad })).toThrow(ConfigError);
      expect(() => loadAppConfig({ NAMESPACE: bad })).toThrow(`NAMESPACE="${bad}": must be`);
    }
  });

  it('reads MODEL_SOURCE (gs://BUCKET/PREFIX) and rejects what the workload would, naming it', () => {
    expect(
      loadAppConfig({ MODEL_SOURCE: 'gs://acme-models/models/insurance/' }).modelSource,
    ).toEqual({ source: 'gcs', bucket: 'acme-models', prefix: 'models/insurance' });
    expect(loadAppConfig({ MODEL_SOURCE: ' ' }).modelSource).toBeUndefined();
    for (const [bad, why] of [
      ['acme-models/models', 'must be gs://BUCKET/PREFIX'],
      ['gs://acme-models', 'must be gs://BUCKET/PREFIX'],
      ['gs://Acme/models', 'is not a Cloud Storage bucket name'],
      ['gs://acme/models/../x', "'prefix'"],
    ] as const) {
      expect(() => loadAppConfig({ MODEL_SOURCE: bad })).toThrow(ConfigError);
      expect(() => loadAppConfig({ MODEL_SOURCE: bad })).toThrow(`MODEL_SOURCE="${bad}": `);
      expect(() => loadAppConfig({ MODEL_SOURCE: bad })).toThrow(why);
    }
  });

  it('finds the project in an Artifact Registry image, and only there', () => {
    expect(
      artifactRegistryProject('europe-west1-docker.pkg.dev/acme-prod/models/inference:7'),
    ).toBe('acme-prod');
    expect(artifactRegistryProject('docker.io/acme/inference:1')).toBeUndefined();
    // 'acme' is too short for a project id
    expect(
      artifactRegistryProject('europe-west1-docker.pkg.dev/acme/models/inference:7'),
    ).toBeUndefined();
  });

  it('rejects an unknown or empty CHART, naming the variable', () => {
    expect(() => loadAppConfig({ CHART: 'prod' })).toThrow(ConfigError);
    expect(() => loadAppConfig({ CHART: 'prod' })).toThrow(
      `CHART="prod": 'prod' is not one of gke, local`,
    );
    expect(() => loadAppConfig({ CHART: ',' })).toThrow('CHART=",": names no environment');
  });
});

describe('ARTIFACT_REGISTRY_IMAGE', () => {
  it.each([
    'us-central1-docker.pkg.dev/my-project/modelship/inference:0.1.0',
    'europe-west1-docker.pkg.dev/acme-prod/models/team/inference:2026.11.1',
    `asia-docker.pkg.dev/p/r/i@sha256:${'a'.repeat(64)}`,
  ])('accepts %s', (image) => {
    expect(ARTIFACT_REGISTRY_IMAGE.test(image)).toBe(true);
  });

  it.each([
    'inference:1',
    'gcr.io/p/inference:1',
    'us-central1-docker.pkg.dev/p/r/i',
    'us-central1-docker.pkg.dev/p/i:1',
    'us-central1-docker.pkg.dev/p/r/i:1 ',
  ])('rejects %s', (image) => {
    expect(ARTIFACT_REGISTRY_IMAGE.test(image)).toBe(false);
  });
});
