import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** One static file of the form, served under a content-hashed name. */
export interface FormAsset {
  /** The URL path, e.g. `/static/form.3f2a9c1d0b.css`. */
  readonly path: string;
  readonly contentType: string;
  readonly body: Uint8Array<ArrayBuffer>;
}

/** The form's stylesheet and script. */
export interface FormAssets {
  readonly css: FormAsset;
  readonly js: FormAsset;
}

/** Options of {@link loadFormAssets}. */
export interface LoadFormAssetsOptions {
  /**
   * The directory holding `form.css` and `form.js`.
   * @default `./static/` beside this module: `src/form/static/` from source, `dist/static/` in
   * the bundle (`scripts/build.mjs` copies it there)
   */
  readonly dir?: URL;
}

function load(dir: URL, file: string, contentType: string): FormAsset {
  const body = readFileSync(new URL(file, dir));
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  const [name, extension] = file.split('.');
  return { path: `/static/${name}.${hash}.${extension}`, contentType, body: new Uint8Array(body) };
}

/**
 * Reads the form's stylesheet and script once (at startup, so that a bundle missing them fails
 * at once) and names them by content hash, so they can be cached for a year.
 */
export function loadFormAssets(options: LoadFormAssetsOptions = {}): FormAssets {
  const { dir = new URL('./static/', import.meta.url) } = options;
  return {
    css: load(dir, 'form.css', 'text/css; charset=utf-8'),
    js: load(dir, 'form.js', 'text/javascript; charset=utf-8'),
  };
}
