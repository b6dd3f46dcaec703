// `modelship synth` on model directories made by `init` from foreign models: the manifests
// come from the charts package's own app, pass the Kubernetes schema and the pod policies,
// and carry the model's name, version and fingerprint; bad input writes nothing.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OPERATIONAL_ROUTES } from '@modelship/contract';
import {
  foreignFixtureDir,
  foreignFixtures,
} from '@modelship/feature-schema/test-fixtures/foreign.ts';
import { loadModel } from '@modelship/inference';
import {
  allPolicyViolations,
  findUnknownFields,
  type KubeObject,
  validateObjects,
} from '@modelship/k8s/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { run } from '../testing.ts';

const IMAGE = 'europe-west1-docker.pkg.dev/acme/models/inference:2.0.0';
const PROBE_ROUTES = [OPERATIONAL_ROUTES.health, OPERATIONAL_ROUTES.ready];

// biome-ignore lint/suspicious/noExplicitAny: synthesized manifests are untyped JSON
type Manifest = any;

let parent: string;
const modelDirs = new Map<string, string>();

/** The foreign fixtures, each with the model name its directory is given and the name synth derives. */
const cases = [
  [foreignFixtures.churnBinary, 'Churn (binary) v2', 'churn-binary-v2'],
  [foreignFixtures.plansMulticlass, 'plans', 'plans'],
  [foreignFixtures.plansMulticlassNoZipMap, '3 Plans_noZipMap', 'plans-nozipmap'],
  [foreignFixtures.rentRegression, 'Rent €/month', 'rent-month'],
] as const;

beforeAll(async () => {
  parent = await mkdtemp(join(tmpdir(), 'modelship-synth-test-'));
  for (const [fixture, modelName] of cases) {
    const out = join(parent, 'models', fixture);
    const init = await run([
      'init',
      join(foreignFixtureDir(fixture), 'model.onnx'),
      '--out',
      out,
      '--name',
      modelName,
    ]);
    expect(init.code, init.err).toBe(0);
    modelDirs.set(fixture, out);
  }
}, 60_000);

async function readManifests(file: string): Promise<KubeObject[]> {
  return parseAllDocuments(await readFile(file, 'utf8')).map((d) => d.toJS() as KubeObject);
}

describe('modelship synth, on model directories of foreign models', () => {
  it.each(cases)(
    '%s (model.name %j): valid manifests named %s',
    async (fixture, modelName, name) => {
      const dir = modelDirs.get(fixture) as string;
      for (const env of ['gke', 'local'] as const) {
        const out = join(parent, `out-${fixture}-${env}`);
        const result = await run(['synth', dir, '--image', IMAGE, '--env', env, '--out', out]);
        expect(result.code, result.err).toBe(0);
        expect(await readdir(out)).toEqual([`${env}.k8s.yaml`]);
        const objects = await readManifests(join(out, `${env}.k8s.yaml`));
        expect(result.out.split('\n')).toEqual(
          objects.map((o) => `${o.kind}/${(o.metadata as { name: string }).name}`),
        );
        expect(await validateObjects(objects)).toEqual([]);
        expect(findUnknownFields(objects)).toEqual([]);
        expect(allPolicyViolations(objects, PROBE_ROUTES)).toEqual([]);

        const model = await loadModel({ dir });
        const deployment = objects.find((o) => o.kind === 'Deployment') as Manifest;
        expect(deployment.metadata.name).toBe(name);
        expect(deployment.metadata.annotations).toMatchObject({
          'modelship.dev/model-name': modelName,
          'modelship.dev/model-version': model.identity.version,
          'modelship.dev/model-fingerprint': model.identity.fingerprint,
        });
        await model.release();
        for (const o of objects as Manifest[]) {
          expect(o.metadata.name).toMatch(new RegExp(`^${name}($|-)`));
          expect(o.metadata.labels['app.kubernetes.io/instance']).toBe(name);
          expect(o.metadata.labels['app.kubernetes.io/version']).toBe('1.0.0');
        }
        const images = deployment.spec.template.spec.containers.map((c: Manifest) => c.image);
        expect(images).toContain(IMAGE);
        expect(JSON.stringify(objects)).not.toMatch(/insurance/);
      }
    },
    60_000,
  );

  it('takes --name and --namespace, and replaces an earlier synth in --out', async () => {
    const dir = modelDirs.get(foreignFixtures.churnBinary) as string;
    const out = join(parent, 'replaced');
    await mkdir(out);
    await writeFile(join(out, 'gke.k8s.yaml'), 'stale: true\n');
    const result = await run([
      'synth',
      dir,
      '--image',
      'localhost/churn:dev',
      '--env',
      'local',
      '--out',
      out,
      '--name',
      'churn',
      '--namespace',
      'models',
    ]);
    expect(result.code, result.err).toBe(0);
    expect(await readdir(out)).toEqual(['local.k8s.yaml']);
    const objects = (await readManifests(join(out, 'local.k8s.yaml'))) as Manifest[];
    expect(objects.find((o) => o.kind === 'Deployment').metadata).toMatchObject({
      name: 'churn',
      namespace: 'models',
    });
    expect(objects.every((o) => o.metadata.namespace === 'models')).toBe(true);
    expect((await readdir(parent)).filter((f) => f.startsWith('.'))).toEqual([]);
  });
});

describe('modelship synth on bad input: a clear message, exit 1 or 2, nothing written', () => {
  const churn = () => modelDirs.get(foreignFixtures.churnBinary) as string;

  it.each([
    [
      'a missing model directory',
      () => [join(parent, 'nowhere'), '--image', IMAGE],
      1,
      /nowhere: no such directory/,
    ],
    ['no --image', () => [churn()], 2, /--image IMAGE is required/],
    [
      'an image gke cannot pull from Artifact Registry',
      () => [churn(), '--image', 'localhost/churn:dev'],
      2,
      /--image localhost\/churn:dev: --env gke needs an Artifact Registry image, REGION-docker\.pkg\.dev/,
    ],
    [
      'a --name that is not a DNS-1035 label',
      () => [churn(), '--image', IMAGE, '--name', 'Churn_Model'],
      2,
      /--name "Churn_Model": must be a DNS-1035 label: at most 63 lowercase letters, digits or '-', starting with a letter/,
    ],
    [
      'a --name longer than the chart allows',
      () => [churn(), '--image', IMAGE, '--name', `churn-${'x'.repeat(40)}`],
      2,
      /--name churn-x+: the chart refuses it: 'name' \("churn-x+"\) must be at most \d+ /,
    ],
    [
      'an unknown --env',
      () => [churn(), '--image', IMAGE, '--env', 'aks'],
      2,
      /--env aks: must be one of gke, local/,
    ],
    [
      'a bad --namespace',
      () => [churn(), '--image', IMAGE, '--namespace', 'Models'],
      2,
      /--namespace "Models": must be a namespace name/,
    ],
  ])('%s', async (_what, args, code, message) => {
    const before = await readdir(parent);
    const out = join(parent, 'out');
    const result = await run(['synth', ...args(), '--out', out]);
    expect(result.err).toMatch(message);
    expect(result.code).toBe(code);
    expect(result.out).toBe('');
    expect(existsSync(out)).toBe(false);
    expect(await readdir(parent)).toEqual(before);
  });

  it('--model-source: the pod mounts the bucket read-only, passing the schema and the policies', async () => {
    const dir = modelDirs.get(foreignFixtures.churnBinary) as string;
    const out = join(parent, 'gcs');
    const args = ['synth', dir, '--image', IMAGE, '--out', out, '--model-source'];
    const result = await run([...args, 'gs://acme-models/models/churn']);
    expect(result.code, result.err).toBe(0);
    const objects = await readManifests(join(out, 'gke.k8s.yaml'));
    const pod = (objects as Manifest[]).find((o) => o.kind === 'Deployment').spec.template;
    expect(pod.metadata.annotations['gke-gcsfuse/volumes']).toBe('true');
    expect(pod.spec.volumes).toContainEqual(
      expect.objectContaining({
        csi: expect.objectContaining({
          volumeAttributes: expect.objectContaining({ bucketName: 'acme-models' }),
        }),
      }),
    );
    expect(await validateObjects(objects)).toEqual([]);
    expect(findUnknownFields(objects)).toEqual([]);
    expect(allPolicyViolations(objects, PROBE_ROUTES)).toEqual([]);
    // The read access to grant, for the service account the manifests name.
    const account = (objects as Manifest[]).find((o) => o.kind === 'ServiceAccount').metadata.name;
    // Named after the schema's model.name, not after the bundled chart's workload.
    expect(account).toBe('churn-binary-v2');
    expect(result.err).toContain(
      'gcloud storage buckets add-iam-policy-binding gs://acme-models --role=roles/storage.objectViewer',
    );
    // 'acme' is no project id (6 to 30 characters): the command leaves it to the shell.
    expect(result.err).toContain(
      `/workloadIdentityPools/$PROJECT_ID.svc.id.goog/subject/ns/default/sa/${account}"`,
    );
    const named = await run([
      ...args.map((a) => (a === IMAGE ? 'europe-west1-docker.pkg.dev/acme-ml/models/m:2.0.0' : a)),
      'gs://acme-models/models/churn',
      '--namespace',
      'models',
    ]);
    expect(named.code, named.err).toBe(0);
    expect(named.err).toContain(
      `/workloadIdentityPools/acme-ml.svc.id.goog/subject/ns/models/sa/${account}"`,
    );
    expect(named.err).toContain(
      "projects/$(gcloud projects describe acme-ml --format='value(projectNumber)')/locations/global/",
    );
    const bad = await run([...args, 'gs://acme-models']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--model-source: "gs://acme-models": must be gs://BUCKET/PREFIX');
  });

  it("--help gives the regional Gateway class's proxy-only subnet step", async () => {
    const help = await run(['synth', '--help']);
    expect(help.code).toBe(0);
    expect(help.out.replace(/\s+/g, ' ')).toContain(
      'gcloud compute networks subnets create NAME --purpose=REGIONAL_MANAGED_PROXY --role=ACTIVE',
    );
  });

  it('--candidate: canary and shadow behind a Gateway, passing both schemas and the policies', async () => {
    const dir = modelDirs.get(foreignFixtures.churnBinary) as string;
    const dir2 = modelDirs.get(foreignFixtures.plansMulticlass) as string;
    const image2 = 'europe-west1-docker.pkg.dev/acme/models/inference:3.0.0';
    const base = ['synth', dir, '--image', IMAGE, '--candidate', dir2, '--candidate-image', image2];
    const canary = await run([...base, '--out', join(parent, 'canary'), '--weight', '25']);
    expect(canary.code, canary.err).toBe(0);
    const objects = await readManifests(join(parent, 'canary', 'gke.k8s.yaml'));
    const of = (kind: string) => (objects as Manifest[]).filter((o) => o.kind === kind);
    expect(of('Deployment').map((d) => d.metadata.name)).toEqual([
      'churn-binary-v2',
      'churn-binary-v2-candidate',
    ]);
    expect(of('Deployment')[1].metadata.annotations['modelship.dev/model-name']).toBe('plans');
    expect(of('Service').map((s) => s.spec.type)).toEqual(['ClusterIP', 'ClusterIP']);
    expect(of('HTTPRoute')[0].spec.rules[0].backendRefs.map((b: Manifest) => b.weight)).toEqual([
      75, 25,
    ]);
    const shadow = await run([...base, '--out', join(parent, 'shadow'), '--mode', 'shadow']);
    expect(shadow.code, shadow.err).toBe(0);
    const shadowObjects = await readManifests(join(parent, 'shadow', 'gke.k8s.yaml'));
    const rule = (shadowObjects as Manifest[]).find((o) => o.kind === 'HTTPRoute').spec.rules[0];
    expect(rule.filters[0].type).toBe('RequestMirror');
    const all = [...objects, ...shadowObjects];
    expect(await validateObjects(all)).toEqual([]);
    expect(findUnknownFields(all)).toEqual([]);
    expect(allPolicyViolations(all, PROBE_ROUTES)).toEqual([]);
  }, 60_000);

  it('--candidate flags: usage errors name the flag, nothing written', async () => {
    const dir = modelDirs.get(foreignFixtures.churnBinary) as string;
    const out = join(parent, 'candidate-bad');
    const base = ['synth', dir, '--image', IMAGE, '--out', out];
    const refused = async (args: string[], message: string) => {
      const result = await run([...base, ...args]);
      expect(result.code).toBe(2);
      expect(result.err).toContain(message);
    };
    await refused(['--weight', '10'], '--weight needs --candidate DIR2');
    await refused(['--candidate', dir], '--candidate needs --candidate-image');
    const c = ['--candidate', dir, '--candidate-image', IMAGE];
    await refused([...c, '--weight', '101'], '--weight 101: must be a whole percentage');
    await refused([...c, '--mode', 'blue'], '--mode blue: must be one of canary, shadow');
    await refused([...c, '--mode', 'shadow', '--weight', '5'], '--weight applies to --mode canary');
    await refused([...c, '--gateway-class', 'gke-l7-gxlb'], '--gateway-class gke-l7-gxlb');
    await refused(
      ['--candidate', dir, '--candidate-image', 'docker.io/a/b:1'],
      '--candidate-image',
    );
    expect(existsSync(out)).toBe(false);
  });

  it('--api-keys-secret: every workload mounts the key Secret; the step to create it is printed', async () => {
    const dir = modelDirs.get(foreignFixtures.churnBinary) as string;
    const dir2 = modelDirs.get(foreignFixtures.plansMulticlass) as string;
    const keysOf = (objects: KubeObject[]) =>
      (objects as Manifest[])
        .filter((o) => o.kind === 'Deployment')
        .map((d) => {
          const pod = d.spec.template.spec;
          const env = pod.containers.find((c: Manifest) => c.name === 'inference').env;
          return [
            pod.volumes.find((v: Manifest) => v.name === 'api-keys')?.secret.secretName,
            env.find((e: Manifest) => e.name === 'API_KEYS_FILE')?.value,
          ];
        });
    const base = ['synth', dir, '--image', IMAGE, '--api-keys-secret', 'churn-api-keys'];
    const single = await run([...base, '--out', join(parent, 'keys'), '--namespace', 'models']);
    expect(single.code, single.err).toBe(0);
    const objects = await readManifests(join(parent, 'keys', 'gke.k8s.yaml'));
    expect(keysOf(objects)).toEqual([['churn-api-keys', '/etc/modelship/api-keys/keys']]);
    expect(single.err).toContain(
      'kubectl create secret generic churn-api-keys -n models --from-file=keys=keys.txt',
    );
    const image2 = 'europe-west1-docker.pkg.dev/acme/models/inference:3.0.0';
    const rollout = await run([
      ...base,
      ...['--out', join(parent, 'keys-rollout'), '--candidate', dir2, '--candidate-image', image2],
    ]);
    expect(rollout.code, rollout.err).toBe(0);
    const rolloutObjects = await readManifests(join(parent, 'keys-rollout', 'gke.k8s.yaml'));
    expect(keysOf(rolloutObjects)).toEqual([
      ['churn-api-keys', '/etc/modelship/api-keys/keys'],
      ['churn-api-keys', '/etc/modelship/api-keys/keys'],
    ]);
    // Both sets name a Service churn-binary-v2: the policies are checked per set.
    for (const set of [objects, rolloutObjects]) {
      expect(allPolicyViolations(set, PROBE_ROUTES)).toEqual([]);
    }
    const all = [...objects, ...rolloutObjects];
    expect(await validateObjects(all)).toEqual([]);
    expect(findUnknownFields(all)).toEqual([]);
  }, 60_000);

  it("--iap-secret and --iap-client-id: IAP on both Services' GCPBackendPolicy behind the Gateway", async () => {
    const dir = modelDirs.get(foreignFixtures.churnBinary) as string;
    const dir2 = modelDirs.get(foreignFixtures.plansMulticlass) as string;
    const image2 = 'europe-west1-docker.pkg.dev/acme/models/inference:3.0.0';
    const clientId = '123456789012-abc123def456.apps.googleusercontent.com';
    const out = join(parent, 'iap');
    const result = await run([
      ...['synth', dir, '--image', IMAGE, '--out', out],
      ...['--candidate', dir2, '--candidate-image', image2, '--mode', 'shadow'],
      ...['--iap-secret', 'churn-oauth', '--iap-client-id', clientId],
    ]);
    expect(result.code, result.err).toBe(0);
    const objects = (await readManifests(join(out, 'gke.k8s.yaml'))) as Manifest[];
    const policies = objects.filter((o) => o.kind === 'GCPBackendPolicy');
    expect(policies.map((p) => [p.spec.targetRef.name, p.spec.default.iap])).toEqual(
      ['churn-binary-v2', 'churn-binary-v2-candidate'].map((name) => [
        name,
        { enabled: true, clientID: clientId, oauth2ClientSecret: { name: 'churn-oauth' } },
      ]),
    );
    // IAP only behind the HTTPS listener.
    const gateway = objects.find((o) => o.kind === 'Gateway');
    expect(gateway.spec.listeners.map((l: Manifest) => l.protocol)).toEqual(['HTTP', 'HTTPS']);
    expect(result.err).toContain(
      'kubectl create secret generic churn-oauth --from-file=key=iap-secret.txt',
    );
    expect(result.err).toContain('roles/iap.httpsResourceAccessor');
    expect(await validateObjects(objects)).toEqual([]);
    expect(findUnknownFields(objects)).toEqual([]);
  }, 60_000);

  it('access flags: usage errors name the flag, nothing written', async () => {
    const dir = modelDirs.get(foreignFixtures.churnBinary) as string;
    const out = join(parent, 'access-bad');
    const before = await readdir(parent);
    const base = ['synth', dir, '--image', IMAGE, '--out', out];
    const refused = async (args: string[], message: string) => {
      const result = await run([...base, ...args]);
      expect(result.err).toContain(message);
      expect(result.code).toBe(2);
      expect(result.out).toBe('');
    };
    const id = '123456789012-abc123def456.apps.googleusercontent.com';
    const c = ['--candidate', dir, '--candidate-image', IMAGE];
    await refused(
      ['--api-keys-secret', 'Churn_Keys'],
      '--api-keys-secret "Churn_Keys": must be a Secret name',
    );
    await refused([...c, '--iap-secret', 'oauth'], '--iap-secret needs --iap-client-id ID');
    await refused([...c, '--iap-client-id', id], '--iap-client-id needs --iap-secret NAME');
    await refused(
      [...c, '--iap-secret', 'OAuth', '--iap-client-id', id],
      '--iap-secret "OAuth": must be a Secret name',
    );
    await refused(
      [...c, '--iap-secret', 'oauth', '--iap-client-id', 'my-client'],
      '--iap-client-id "my-client": must be an OAuth client id',
    );
    await refused(
      ['--iap-secret', 'oauth', '--iap-client-id', id],
      "--iap-secret: --env gke serves through its own Service (for gke a passthrough load balancer), which has no Identity-Aware Proxy: IAP lives on Google's Application Load Balancer, here the Gateway that --candidate DIR2 puts in front",
    );
    await refused(
      [...c, '--env', 'local', '--iap-secret', 'oauth', '--iap-client-id', id],
      '--iap-secret: --env local serves plain HTTP, and IAP needs HTTPS',
    );
    await refused(
      [...c, '--iap-secret', 'oauth', '--iap-client-id', id, '--api-keys-secret', 'keys'],
      '--iap-secret and --api-keys-secret are alternatives',
    );
    expect(existsSync(out)).toBe(false);
    expect(await readdir(parent)).toEqual(before);
  });

  it('a model.name with no letter asks for --name', async () => {
    const dir = join(parent, 'models', 'digits');
    const init = await run([
      'init',
      join(foreignFixtureDir(foreignFixtures.rentRegression), 'model.onnx'),
      '--out',
      dir,
      '--name',
      '2024',
    ]);
    expect(init.code).toBe(0);
    const out = join(parent, 'out');
    const result = await run(['synth', dir, '--image', IMAGE, '--out', out]);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(
      /schema\.json: model\.name "2024" has no letter to make a workload name of: pass --name NAME/,
    );
    expect(existsSync(out)).toBe(false);
    expect((await run(['synth', dir, '--image', IMAGE, '--out', out, '--name', 'rent'])).code).toBe(
      0,
    );
  });

  it('a model directory the server would refuse lists its problems', async () => {
    const dir = join(parent, 'models', 'broken');
    await mkdir(dir);
    await writeFile(join(dir, 'schema.json'), '{"schemaVersion": 2}');
    const out = join(parent, 'out-broken');
    const result = await run(['synth', dir, '--image', IMAGE, '--out', out]);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/broken cannot be served \(\d+ problems\):\n {2}- .*schema\.json: /);
    expect(result.err).toMatch(/model\.onnx: not found/);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses an --out that holds other files, and leaves them', async () => {
    const out = join(parent, 'mine');
    await mkdir(out);
    await writeFile(join(out, 'notes.txt'), 'mine');
    const result = await run(['synth', churn(), '--image', IMAGE, '--out', out]);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/--out .*mine holds files that are not manifests \(notes\.txt\)/);
    expect(await readdir(out)).toEqual(['notes.txt']);
  });
});
