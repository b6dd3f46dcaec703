// Bundles the service into dist/server.js. Workspace packages (TypeScript sources) are
// inlined; every npm dependency stays external and is installed by `pnpm deploy --prod`,
// so the production image needs no devDependencies. The bundled model is copied beside it.
import { cp, readFile, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));

await rm(`${root}/dist`, { recursive: true, force: true });
await build({
  entryPoints: { server: `${root}/src/index.ts` },
  outdir: `${root}/dist`,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  external: Object.keys(pkg.dependencies ?? {}),
  logLevel: 'warning',
});
const modelDir = fileURLToPath(import.meta.resolve('@modelship/insurance-model/model/schema.json'));
await cp(new URL('.', `file://${modelDir}`), `${root}/dist/model`, { recursive: true });
// The web form's stylesheet and script, read at startup from beside server.js (src/form/assets.ts).
await cp(`${root}/src/form/static`, `${root}/dist/static`, { recursive: true });
