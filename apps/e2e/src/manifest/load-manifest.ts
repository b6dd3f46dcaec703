import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from './types.ts';

/** A synthesized chart: its file and its objects in file order. */
export interface Manifest {
  readonly file: string;
  readonly objects: readonly KubeObject[];
}

/** Options of {@link loadManifest}. */
export interface LoadManifestOptions {
  /** Folder of `*.k8s.yaml` files (cdk8s' output). */
  readonly dir: string;
  /**
   * The chart to load: the file `<chart>.k8s.yaml`.
   * @default the only `*.k8s.yaml` in `dir` (`pnpm synth` writes one chart at a time), else `gke`
   */
  readonly chart?: string | undefined;
}

/** Thrown when the synthesized manifest is missing or unreadable; says how to produce it. */
export class ManifestError extends Error {
  override name = 'ManifestError';
}

/** Parses a multi-document YAML text into Kubernetes objects (empty documents skipped). */
export function parseManifest(text: string, file = '<text>'): KubeObject[] {
  return parseAllDocuments(text).flatMap((doc, index) => {
    if (doc.errors.length > 0) {
      throw new ManifestError(`${file}: document ${index}: ${doc.errors[0]?.message}`);
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return [];
    if (typeof value !== 'object' || !('kind' in value) || !('metadata' in value)) {
      throw new ManifestError(`${file}: document ${index} is not a Kubernetes object`);
    }
    return [value as KubeObject];
  });
}

/**
 * Reads one synthesized chart (`pnpm synth` writes them to `<repo>/dist`).
 *
 * @example
 * const manifest = await loadManifest({ dir: 'dist', chart: 'gke' });
 */
export async function loadManifest(options: LoadManifestOptions): Promise<Manifest> {
  const { dir } = options;
  const found = (await readdir(dir).catch(() => [] as string[])).filter((file) =>
    file.endsWith('.k8s.yaml'),
  );
  const only = found.length === 1 ? found[0] : undefined;
  const name = options.chart ? `${options.chart}.k8s.yaml` : (only ?? 'gke.k8s.yaml');
  if (!found.includes(name)) {
    throw new ManifestError(
      `no ${name} in ${dir} (found: ${found.join(', ') || 'none'}); run \`pnpm synth\` first`,
    );
  }
  const file = join(dir, name);
  return { file, objects: parseManifest(await readFile(file, 'utf8'), file) };
}
