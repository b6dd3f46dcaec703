// Builds the published library into dist/: one ES module (esbuild) and one declaration file
// (dts-bundle-generator). @modelship/contract is inlined into both, so the package needs no
// workspace at run time and its types never load zod's (whose .d.ts files do not compile under
// the `cdk8s init` tsconfig); cdk8s, cdk8s-plus-27, constructs (peers) and zod stay imports.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { generateDtsBundle } from 'dts-bundle-generator';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(await readFile(`${root}/package.json`, 'utf8'));
const entry = `${root}/src/index.ts`;

await rm(`${root}/dist`, { recursive: true, force: true });
await build({
  entryPoints: { index: entry },
  outdir: `${root}/dist`,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  external: [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})],
  logLevel: 'warning',
});
const [types] = generateDtsBundle(
  [
    {
      filePath: entry,
      output: { noBanner: true },
    },
  ],
  // tsconfig.build.json maps @modelship/contract to its source, so its types are inlined too.
  { preferredConfigPath: `${root}/tsconfig.build.json` },
);
await mkdir(`${root}/dist`, { recursive: true });
await writeFile(`${root}/dist/index.d.ts`, types ?? '');
