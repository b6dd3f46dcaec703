/**
 * Runs the real chart app (main.ts, as `cdk8s synth` does) into a temporary directory and checks
 * the YAML it writes: the Kubernetes schema, unknown fields, the pod policies, the shipped
 * nginx.conf under real nginx, and that `kubectl apply -f` needs nothing else.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OPERATIONAL_ROUTES } from '@modelship/contract';
import {
  allPolicyViolations,
  findUnknownFields,
  type KubeObject,
  validateObjects,
} from '@modelship/k8s/testing';
import { findNginx, nginxConfigTest } from '@modelship/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));
const IMAGE = 'europe-west1-docker.pkg.dev/acme/models/inference:9.9.9';
/** The inference service's probe routes (apps/inference: `/healthz` live, `/readyz` ready). */
const SERVICE_ROUTES = [OPERATIONAL_ROUTES.health, OPERATIONAL_ROUTES.ready];

let outdir: string;
const charts = new Map<string, KubeObject[]>();

beforeAll(async () => {
  outdir = await mkdtemp(join(tmpdir(), 'modelship-synth-'));
  const run = spawnSync(process.execPath, ['--import', 'tsx', MAIN], {
    cwd: dirname(MAIN),
    encoding: 'utf8',
    env: { ...process.env, CDK8S_OUTDIR: outdir, CHART: 'gke,local', IMAGE },
  });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  for (const file of await readdir(outdir)) {
    const docs = parseAllDocuments(await readFile(join(outdir, file), 'utf8'));
    charts.set(
      file,
      docs.map((doc) => doc.toJS() as KubeObject),
    );
  }
}, 60_000);

afterAll(() => rm(outdir, { recursive: true, force: true }));

describe('the synthesized charts', () => {
  it('are one file per environment', () => {
    expect([...charts.keys()].sort()).toEqual(['gke.k8s.yaml', 'local.k8s.yaml']);
  });

  it('use the IMAGE override', () => {
    for (const objects of charts.values()) {
      const deployment = objects.find((o) => o.kind === 'Deployment') as unknown as {
        spec: { template: { spec: { containers: { name: string; image: string }[] } } };
      };
      const containers = deployment.spec.template.spec.containers;
      expect(containers.find((c) => c.name === 'inference')?.image).toBe(IMAGE);
    }
  });

  it('contain only built-in kinds, so kubectl apply needs no CRD', () => {
    for (const objects of charts.values()) {
      for (const obj of objects) expect(obj.apiVersion).toMatch(/^(v1|[a-z]+(\.k8s\.io)?\/v\d+)$/);
    }
  });

  it('validate against the Kubernetes OpenAPI schema', async () => {
    for (const objects of charts.values()) expect(await validateObjects(objects)).toEqual([]);
  });

  it('define no field the schema does not know', () => {
    expect(findUnknownFields([...charts.values()].flat())).toEqual([]);
  }, 60_000);

  it.each(['gke.k8s.yaml', 'local.k8s.yaml'])('%s passes the pod policies', (file) => {
    const objects = charts.get(file) ?? [];
    expect(objects.length).toBeGreaterThan(0);
    expect(allPolicyViolations(objects, SERVICE_ROUTES)).toEqual([]);
  });
});

const NGINX = findNginx();
if (NGINX === undefined) console.warn('nginx not found: skipping nginx -t on the shipped config');

describe.skipIf(NGINX === undefined)('the shipped nginx.conf', () => {
  it.each(['gke.k8s.yaml', 'local.k8s.yaml'])('from %s passes nginx -t as is', async (file) => {
    const configMap = charts.get(file)?.find((o) => o.kind === 'ConfigMap') as {
      data?: Record<string, string>;
    };
    const conf = configMap?.data?.['nginx.conf'];
    expect(conf).toContain('listen 8080');
    const dir = await mkdtemp(join(tmpdir(), 'modelship-shipped-nginx-'));
    try {
      const result = await nginxConfigTest(NGINX ?? 'nginx', conf ?? '', dir);
      expect(result.stderr).toContain('test is successful');
      expect(result.stderr).not.toMatch(/\[(warn|emerg|alert|crit)\]/);
      expect(result.status).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
