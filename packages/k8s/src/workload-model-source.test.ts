import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { InferenceWorkload } from './inference-workload.ts';
import { allPolicyViolations } from './testing/policy.ts';
import type { InferenceWorkloadProps } from './workload-settings.ts';

const IMAGE = 'europe-west1-docker.pkg.dev/acme/models/inference:1.0.0';
const GCS = { source: 'gcs', bucket: 'acme-models', prefix: 'models/insurance' } as const;

// biome-ignore lint/suspicious/noExplicitAny: synthesized manifests are untyped JSON
type Manifest = any;

function synth(props: Partial<InferenceWorkloadProps> = {}) {
  const chart = Testing.chart();
  new InferenceWorkload(chart, 'workload', { image: IMAGE, tls: false, ...props });
  const objects: Manifest[] = Testing.synth(chart);
  const one = (kind: string): Manifest => objects.find((o) => o.kind === kind);
  const template = one('Deployment').spec.template;
  const inference = template.spec.containers.find((c: Manifest) => c.name === 'inference');
  const env = (name: string) => inference.env.find((e: { name: string }) => e.name === name)?.value;
  return { objects, one, template, inference, env };
}

describe('modelSource', () => {
  it('defaults to the image: no bucket volume, no FUSE annotation, no egress', () => {
    const { template, env, one } = synth();
    expect(template.spec.volumes.map((v: Manifest) => v.name)).not.toContain('model');
    expect(template.metadata.annotations['gke-gcsfuse/volumes']).toBeUndefined();
    expect(env('MODEL_DIR')).toBeUndefined();
    expect(one('NetworkPolicy').spec.egress).toEqual([]);
  });

  it('gcs: mounts gs://BUCKET/PREFIX read-only through the FUSE CSI driver at MODEL_DIR', () => {
    const { template, inference, env } = synth({ modelSource: GCS });
    expect(template.spec.volumes).toContainEqual({
      name: 'model',
      csi: {
        driver: 'gcsfuse.csi.storage.gke.io',
        readOnly: true,
        volumeAttributes: {
          bucketName: 'acme-models',
          // The files belong to the inference container's non-root user (uid/gid 1000).
          mountOptions:
            'only-dir=models/insurance,implicit-dirs,metadata-cache:ttl-secs:10,uid=1000,gid=1000',
        },
      },
    });
    expect(inference.volumeMounts).toContainEqual({
      name: 'model',
      mountPath: '/models',
      readOnly: true,
    });
    expect(env('MODEL_DIR')).toBe('/models');
    // nginx never sees the model.
    const nginx = template.spec.containers.find((c: Manifest) => c.name === 'nginx');
    expect(nginx.volumeMounts.map((m: Manifest) => m.name)).not.toContain('model');
  });

  it('gcs: annotates the pod for the sidecar, with its resource limits', () => {
    const { template } = synth({
      modelSource: { ...GCS, sidecar: { memoryLimit: '512Mi' } },
    });
    expect(template.metadata.annotations).toMatchObject({
      'gke-gcsfuse/volumes': 'true',
      'gke-gcsfuse/cpu-limit': '250m',
      'gke-gcsfuse/memory-limit': '512Mi',
      'gke-gcsfuse/ephemeral-storage-limit': '1Gi',
    });
  });

  it('gcs: opens DNS, the metadata server and HTTPS (any address, or the given ranges)', () => {
    const ports = (rule: Manifest) => rule.ports.map((p: Manifest) => `${p.protocol}/${p.port}`);
    const open = synth({ modelSource: GCS }).one('NetworkPolicy').spec.egress;
    expect(open.map(ports)).toEqual([['UDP/53', 'TCP/53'], ['TCP/80'], ['TCP/988'], ['TCP/443']]);
    expect(open[3].to).toBeUndefined();
    const narrow = synth({
      modelSource: { ...GCS, googleApisCidrs: ['199.36.153.8/30'] },
    }).one('NetworkPolicy').spec.egress;
    expect(narrow[3]).toEqual({
      to: [{ ipBlock: { cidr: '199.36.153.8/30' } }],
      ports: [{ protocol: 'TCP', port: 443 }],
    });
    const off = synth({ modelSource: GCS, egress: { googleApis: false } });
    expect(off.one('NetworkPolicy').spec.egress.map(ports)).not.toContainEqual(['TCP/443']);
  });

  it('gcs: the mount path and TTL are props; the pod still passes every policy check', () => {
    const { objects, env, template } = synth({
      modelSource: { ...GCS, mountPath: '/var/models', metadataCacheTtlSeconds: 0 },
      inference: { modelPollIntervalSeconds: 10 },
    });
    expect(env('MODEL_DIR')).toBe('/var/models');
    expect(env('MODEL_POLL_INTERVAL')).toBe('10');
    const volume = template.spec.volumes.find((v: Manifest) => v.name === 'model');
    expect(volume.csi.volumeAttributes.mountOptions).toContain('metadata-cache:ttl-secs:0');
    expect(allPolicyViolations(objects, ['/healthz', '/readyz'])).toEqual([]);
  });

  it.each([
    [{ bucket: 'gs://acme' }, `'modelSource.bucket' ("gs://acme")`],
    [{ bucket: 'Acme' }, `'modelSource.bucket' ("Acme") is not a Cloud Storage bucket name`],
    [{ bucket: 'ab' }, `'modelSource.bucket' ("ab")`],
    [{ bucket: 'a'.repeat(64) }, "'modelSource.bucket'"],
    [{ bucket: `${'a'.repeat(64)}.com` }, 'each dot-separated part'],
    [{ bucket: '192.168.5.4' }, 'not an IP address'],
    [{ bucket: 'goog-models' }, "no 'goog' prefix"],
    [{ bucket: 'my-google-models' }, "no 'google'"],
    [{ bucket: 'acme-' }, 'starting and ending alphanumeric'],
    [{ prefix: '' }, `'modelSource.prefix' ("")`],
    [{ prefix: '/models/insurance' }, `'modelSource.prefix' ("/models/insurance")`],
    [{ prefix: 'models/insurance/' }, 'no leading or trailing'],
    [{ prefix: 'models/../secrets' }, "no '.' or '..'"],
    [{ prefix: 'models,implicit-dirs' }, `'modelSource.prefix'`],
    [{ mountPath: 'models' }, `'modelSource.mountPath' ("models") must be an absolute path`],
    [{ mountPath: '/tmp/models' }, 'outside /tmp'],
    [{ metadataCacheTtlSeconds: -1 }, "'modelSource.metadataCacheTtlSeconds' (-1)"],
    [
      { sidecar: { cpuLimit: 'lots' } },
      `'modelSource.sidecar.cpuLimit' ("lots") must be a quantity`,
    ],
    [{ googleApisCidrs: ['googleapis.com'] }, "'modelSource.googleApisCidrs[0]'"],
  ])('refuses %j', (change, message) => {
    expect(() => synth({ modelSource: { ...GCS, ...change } })).toThrow(message);
  });

  it.each(['Acme', 'a'.repeat(64), 'goog-models'])(
    'states the length rule when it refuses the bucket %s',
    (bucket) => {
      expect(() => synth({ modelSource: { ...GCS, bucket } })).toThrow(
        'a bucket name has 3 to 63 characters, or up to 222 with dots and at most 63 between two dots',
      );
    },
  );

  it('accepts dotted bucket names and underscores', () => {
    const { template } = synth({ modelSource: { ...GCS, bucket: 'models.acme_example.com' } });
    const volume = template.spec.volumes.find((v: Manifest) => v.name === 'model');
    expect(volume.csi.volumeAttributes.bucketName).toBe('models.acme_example.com');
  });

  it("refuses an 'inference.modelDir' that contradicts the mount", () => {
    expect(() => synth({ modelSource: GCS, inference: { modelDir: '/srv/model' } })).toThrow(
      `'inference.modelDir' ("/srv/model") is set by 'modelSource'`,
    );
  });
});
