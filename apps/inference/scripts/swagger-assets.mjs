// Writes swagger-ui-dist's files that /docs serves into a bundle, gzip-compressed (NAME.gz,
// the form served to nearly every browser), with the package's NOTICE and its LICENSE as
// COPYING (pnpm pack adds the workspace's LICENSE to a package only if no file path in it
// contains "license"): the image and the CLI package then need no swagger-ui-dist installed
// (nor its install-time telemetry dependency). Used by this package's build and by apps/cli's.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { constants, gzip } from 'node:zlib';
import assets from '../src/openapi/swagger-assets.json' with { type: 'json' };

const compress = promisify(gzip);

/** Writes the assets into BUNDLE_DIR/static/swagger-ui (BUNDLE_DIR: where server.js is). */
export async function writeSwaggerAssets(bundleDir) {
  const require = createRequire(import.meta.url);
  const source = dirname(require.resolve('swagger-ui-dist/package.json'));
  const out = join(bundleDir, assets.dir);
  await mkdir(out, { recursive: true });
  for (const name of Object.keys(assets.files)) {
    const body = await readFile(join(source, name));
    await writeFile(
      join(out, `${name}.gz`),
      await compress(body, { level: constants.Z_BEST_COMPRESSION }),
    );
  }
  for (const [name, as] of Object.entries(assets.notices)) {
    await writeFile(join(out, as), await readFile(join(source, name)));
  }
}
