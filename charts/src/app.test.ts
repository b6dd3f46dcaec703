import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  foreignFixtureDir,
  foreignFixtures,
} from '@modelship/feature-schema/test-fixtures/foreign.ts';
import { type App, Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { buildApp } from './app.ts';
import { readModelMetadata } from './model-metadata.ts';

// biome-ignore lint/suspicious/noExplicitAny: synthesized manifests are untyped JSON
type Manifest = any;

const config = {
  charts: ['local'] as const,
  image: 'localhost/churn:1',
  googleCloudProject: undefined,
  namespace: undefined,
  modelSource: undefined,
};
const objects = (app: App): Manifest[] => app.charts.flatMap((chart) => Testing.synth(chart));
const deployment = (app: App) => objects(app).find((o) => o.kind === 'Deployment');

describe('buildApp', () => {
  it('describes the bundled model by default, under the environment’s name', () => {
    const d = deployment(buildApp(config));
    const bundled = readModelMetadata();
    expect(d.metadata.name).toBe('insurance');
    expect(d.metadata.annotations['modelship.dev/model-name']).toBe(bundled.name);
  });

  it('describes the model of a directory, under the name given', () => {
    const dir = foreignFixtureDir(foreignFixtures.churnBinary);
    const schema = JSON.parse(readFileSync(join(dir, 'schema.json'), 'utf8'));
    const app = buildApp(config, {}, { dir, name: 'churn' });
    for (const o of objects(app)) {
      expect(o.metadata.name).toMatch(/^churn(-|$)/);
      expect(o.metadata.labels['app.kubernetes.io/instance']).toBe('churn');
    }
    const d = deployment(app);
    expect(d.metadata.annotations).toMatchObject({
      'modelship.dev/model-name': schema.model.name,
      'modelship.dev/model-version': schema.model.version,
      'modelship.dev/model-fingerprint': readModelMetadata(dir).fingerprint,
    });
    expect(d.metadata.labels['app.kubernetes.io/version']).toBe(schema.model.version);
    expect(d.spec.template.spec.containers.map((c: Manifest) => c.image)).toContain(
      'localhost/churn:1',
    );
  });
});

describe('buildApp with a candidate', () => {
  it('describes the candidate model of its directory, behind the Gateway', () => {
    const dir = foreignFixtureDir(foreignFixtures.churnBinary);
    const schema = JSON.parse(readFileSync(join(dir, 'schema.json'), 'utf8'));
    const app = buildApp(
      config,
      {},
      {
        candidate: { dir, image: 'localhost/churn:2', mode: 'canary', candidateWeightPercent: 25 },
      },
    );
    const all = objects(app);
    const candidate = all.find(
      (o) => o.kind === 'Deployment' && o.metadata.name === 'insurance-candidate',
    );
    expect(candidate.metadata.annotations['modelship.dev/model-name']).toBe(schema.model.name);
    const route = all.find((o) => o.kind === 'HTTPRoute');
    expect(route.spec.rules[0].backendRefs.map((b: Manifest) => b.weight)).toEqual([75, 25]);
  });
});
