import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadManifest, ManifestError, parseManifest } from './load-manifest.ts';

const object = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`;

describe('loadManifest', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'modelship-manifest-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('loads the only synthesized chart when none is named', async () => {
    await writeFile(join(dir, 'local.k8s.yaml'), `${object('a')}---\n${object('b')}`);
    const manifest = await loadManifest({ dir });
    expect(manifest.file).toBe(join(dir, 'local.k8s.yaml'));
    expect(manifest.objects.map((o) => o.metadata.name)).toEqual(['a', 'b']);
  });

  it('loads the named chart, and says how to make a missing one', async () => {
    await writeFile(join(dir, 'gke.k8s.yaml'), object('g'));
    await writeFile(join(dir, 'local.k8s.yaml'), object('l'));
    expect((await loadManifest({ dir })).objects[0]?.metadata.name).toBe('g');
    expect((await loadManifest({ dir, chart: 'local' })).objects[0]?.metadata.name).toBe('l');
    await expect(loadManifest({ dir, chart: 'prod' })).rejects.toThrow(
      /no prod\.k8s\.yaml .*found: gke\.k8s\.yaml, local\.k8s\.yaml.*pnpm synth/,
    );
  });

  it('rejects documents that are not Kubernetes objects or not YAML', () => {
    expect(() => parseManifest('just: a map\n')).toThrow(ManifestError);
    expect(() => parseManifest('kind: [unclosed\n')).toThrow(ManifestError);
    expect(parseManifest('---\n---\n')).toEqual([]);
  });
});
