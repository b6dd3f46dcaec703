import { describe, expect, it } from 'vitest';
import { findUnknownFields, type KubeObject, modelModule, validateObjects } from './kube-schema.ts';

const deployment = (spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'd' },
  spec: {
    selector: { matchLabels: { app: 'x' } },
    template: {
      metadata: { labels: { app: 'x' } },
      spec: { containers: [{ name: 'c', image: 'i:1' }] },
    },
    ...spec,
  },
});

describe('kube-schema checks', () => {
  it('maps built-in kinds to kubernetes-models and skips other custom resources', () => {
    expect(modelModule({ apiVersion: 'v1', kind: 'Service' })).toBe('kubernetes-models/v1/Service');
    expect(modelModule({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' })).toBe(
      'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler',
    );
    expect(
      modelModule({ apiVersion: 'monitoring.googleapis.com/v1', kind: 'PodMonitoring' }),
    ).toBeUndefined();
  });

  it("maps GKE's kinds to @kubernetes-models/gke", () => {
    expect(modelModule({ apiVersion: 'cloud.google.com/v1', kind: 'BackendConfig' })).toBe(
      '@kubernetes-models/gke/cloud.google.com/v1/BackendConfig',
    );
    expect(modelModule({ apiVersion: 'networking.gke.io/v1', kind: 'GCPBackendPolicy' })).toBe(
      '@kubernetes-models/gke/networking.gke.io/v1/GCPBackendPolicy',
    );
  });

  it('rejects a GCPBackendPolicy whose iap has a misspelt or mistyped field', async () => {
    const policy = (iap: Record<string, unknown>): KubeObject => ({
      apiVersion: 'networking.gke.io/v1',
      kind: 'GCPBackendPolicy',
      metadata: { name: 'p' },
      spec: {
        default: { iap: { enabled: true, oauth2ClientSecret: { name: 's' }, ...iap } },
        targetRef: { group: '', kind: 'Service', name: 's' },
      },
    });
    expect(await validateObjects([policy({ clientID: 'c' })])).toEqual([]);
    expect((await validateObjects([policy({ clientID: 7 })]))[0]).toMatch(
      /^GCPBackendPolicy\/p: .*clientID/,
    );
    expect(findUnknownFields([policy({ clientId: 'c' })])).toEqual([
      expect.stringMatching(/^GCPBackendPolicy\/p: .*'"clientId"' does not exist/),
    ]);
  }, 60_000);

  it('maps Gateway API kinds to @kubernetes-models/gateway-api', () => {
    expect(modelModule({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute' })).toBe(
      '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute',
    );
  });

  it('rejects an HTTPRoute with a weight out of range or an unknown backend field', async () => {
    const route = (backend: Record<string, unknown>): KubeObject => ({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'r' },
      spec: {
        parentRefs: [{ name: 'g' }],
        rules: [{ backendRefs: [{ name: 's', port: 80, ...backend }] }],
      },
    });
    expect(await validateObjects([route({ weight: 10 })])).toEqual([]);
    expect((await validateObjects([route({ weight: -1 })]))[0]).toMatch(/^HTTPRoute\/r: .*weight/);
    expect(findUnknownFields([route({ wieght: 10 })])).toEqual([
      expect.stringMatching(/^HTTPRoute\/r: .*'"wieght"' does not exist/),
    ]);
  }, 60_000);

  // Each findUnknownFields call type-checks with TypeScript (a few seconds on a busy machine).
  it('accepts a valid object', async () => {
    expect(await validateObjects([deployment({})])).toEqual([]);
    expect(findUnknownFields([deployment({})])).toEqual([]);
  }, 60_000);

  it('rejects a wrong type or a missing required field', async () => {
    expect(await validateObjects([deployment({ replicas: 'three' })])).toEqual([
      expect.stringContaining('Deployment/d: data/spec/replicas must be integer'),
    ]);
    const noSelector = deployment({});
    delete (noSelector.spec as Record<string, unknown>).selector;
    expect((await validateObjects([noSelector]))[0]).toContain('selector');
  });

  it('rejects unknown fields at any depth, naming the object', () => {
    const typo = deployment({
      template: {
        metadata: { labels: { app: 'x' } },
        spec: { containers: [{ name: 'c', image: 'i:1', imagePullPolcy: 'Always' }] },
      },
    });
    const named = (obj: KubeObject, name: string): KubeObject => ({ ...obj, metadata: { name } });
    expect(
      findUnknownFields([
        named(typo, 'typo'),
        named(deployment({}), 'valid'),
        named(deployment({ replica: 2 }), 'spec-field'),
        { ...named(deployment({}), 'top-field'), extra: true },
      ]),
    ).toEqual([
      expect.stringMatching(
        /^Deployment\/typo: .*'"imagePullPolcy"' does not exist in type 'IContainer'/,
      ),
      expect.stringMatching(/^Deployment\/spec-field: .*'"replica"' does not exist/),
      expect.stringMatching(/^Deployment\/top-field: .*'"extra"' does not exist/),
    ]);
  }, 60_000);
});
