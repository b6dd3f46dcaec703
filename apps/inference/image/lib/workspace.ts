// Where things are in the workspace, and the package facts the image tests check against.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** apps/inference (ends with '/'). */
export const appDir = fileURLToPath(new URL('../../', import.meta.url));
/** The repository root (ends with '/'). */
export const workspaceRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/** The service's version (apps/inference/package.json), which the image's label carries. */
export const serviceVersion = (
  JSON.parse(readFileSync(`${appDir}package.json`, 'utf8')) as { version: string }
).version;

/**
 * The images apps/inference/Dockerfile builds FROM: the build stage's (the first image named)
 * and the runtime stage's (the last FROM). `scratch` and earlier stages' names are not images.
 */
export function dockerfileBaseImages(): { build: string; runtime: string } {
  const stages = new Set<string>(['scratch']);
  const refs: string[] = [];
  for (const line of readFileSync(`${appDir}Dockerfile`, 'utf8').split('\n')) {
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line.trim());
    if (!from?.[1]) continue;
    if (!stages.has(from[1])) refs.push(from[1]);
    if (from[2]) stages.add(from[2]);
  }
  const [build, runtime] = [refs[0], refs.at(-1)];
  if (!build || !runtime || refs.length !== 2) {
    throw new Error(`expected a build and a runtime base image, found ${refs.join(', ')}`);
  }
  return { build, runtime };
}
