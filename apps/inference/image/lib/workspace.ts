// Where things are in the workspace, and the package facts the image tests check against.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** apps/inference (ends with '/'). */
export const appDir = fileURLToPath(new URL('../../', import.meta.url));
/** The repository root (ends with '/'). */
export const workspaceRoot = fileURLToPath(new URL('../../../../', import.meta.url));

interface PackageJson {
  version: string;
  devDependencies?: Record<string, string>;
}
const readPackage = (dir: string) =>
  JSON.parse(readFileSync(`${dir}package.json`, 'utf8')) as PackageJson;

/** The service's version (apps/inference/package.json), which the image's label carries. */
export const serviceVersion = readPackage(appDir).version;

/** Tools that must never be in a production bundle, whatever package.json says. */
const alwaysBanned = ['vitest', 'typescript', 'esbuild', 'tsx', '@biomejs/biome', 'turbo'];

/**
 * Names that must not appear in the bundle: the service's and the root's devDependencies
 * (workspace packages included: esbuild inlines them), except those that the production graph
 * itself needs (`allowed`: `name@version`, e.g. @types/node via protobufjs), plus the build
 * and test tools.
 */
export function bannedPackageNames(allowed: ReadonlySet<string>): string[] {
  const allowedNames = new Set([...allowed].map((pkg) => pkg.slice(0, pkg.lastIndexOf('@'))));
  const dev = [appDir, workspaceRoot].flatMap((dir) =>
    Object.keys(readPackage(dir).devDependencies ?? {}),
  );
  return [...new Set([...alwaysBanned, ...dev.filter((name) => !allowedNames.has(name))])];
}

/**
 * The image that apps/inference/Dockerfile builds FROM (every stage that starts from an image
 * names the same one; `scratch` and earlier stages' names are not images).
 */
export function dockerfileBaseImage(): string {
  const stages = new Set<string>(['scratch']);
  const refs = new Set<string>();
  for (const line of readFileSync(`${appDir}Dockerfile`, 'utf8').split('\n')) {
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line.trim());
    if (!from?.[1]) continue;
    if (!stages.has(from[1])) refs.add(from[1]);
    if (from[2]) stages.add(from[2]);
  }
  const [ref, ...others] = refs;
  if (!ref || others.length > 0)
    throw new Error(`expected one base image, found ${[...refs].join(', ')}`);
  return ref;
}
