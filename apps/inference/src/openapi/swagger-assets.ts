import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { constants, gunzip, gzip } from 'node:zlib';
import assets from './swagger-assets.json' with { type: 'json' };

const compress = promisify(gzip);
const decompress = promisify(gunzip);

/** swagger-ui-dist's files that `/docs` serves, with their media types. */
export const swaggerFiles: Readonly<Record<string, string>> = assets.files;

/**
 * Where the files are: beside the bundled server (`static/swagger-ui/`, gzip-compressed, written
 * by scripts/swagger-assets.mjs), or, running from sources, the installed swagger-ui-dist.
 */
export function defaultSwaggerDir(): string {
  const bundled = fileURLToPath(new URL(`./${assets.dir}/`, import.meta.url));
  if (existsSync(bundled)) return bundled;
  return dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
}

/** One file, gzip-compressed and, for the rare client that takes no gzip, plain. */
export interface SwaggerAsset {
  readonly gzip: Uint8Array<ArrayBuffer>;
  readonly plain: () => Promise<Uint8Array<ArrayBuffer>>;
}

/**
 * Reads NAME.gz from `dir` (or NAME, compressed once here) and decompresses it at most once,
 * when a client first asks for it uncompressed.
 */
export async function readSwaggerAsset(dir: string, name: string): Promise<SwaggerAsset> {
  let gz: Buffer | undefined;
  let plain: Promise<Buffer> | undefined;
  try {
    gz = await readFile(join(dir, `${name}.gz`));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const body = await readFile(join(dir, name));
    plain = Promise.resolve(body);
    gz = await compress(body, { level: constants.Z_BEST_COMPRESSION });
  }
  const compressed = gz;
  return {
    gzip: new Uint8Array(compressed),
    plain: async () => {
      plain ??= decompress(compressed);
      return new Uint8Array(await plain);
    },
  };
}

/**
 * Whether an `Accept-Encoding` header takes gzip: listed (or `*`) without `q=0`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#field.accept-encoding
 */
export function acceptsGzip(header: string | undefined): boolean {
  const weights = new Map<string, number>();
  for (const part of (header ?? '').split(',')) {
    const [coding = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    weights.set(coding, q === undefined ? 1 : Number(q.slice(2)));
  }
  const weight = weights.get('gzip') ?? weights.get('x-gzip') ?? weights.get('*') ?? 0;
  return weight > 0;
}
