/** The real nginx binary for tests: where it is, and `nginx -t` on a configuration. Test-only. */
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The nginx binary, or undefined when it is not installed. Under `CI=true` a missing nginx
 * throws instead (`.ci/run` installs Debian's nginx), so CI can never skip these tests.
 */
export function findNginx(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const found = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((path) => existsSync(path));
  if (found === undefined && env.CI === 'true') {
    throw new Error('nginx is required under CI (apt-get install nginx; .ci/run installs it)');
  }
  return found;
}

/**
 * Opens `<dir>/stdout.log` for nginx's stdout. `access_log /dev/stdout` needs stdout to be a
 * file or a pipe: Node's `stdio: 'pipe'` is a socket, on which /dev/stdout cannot be opened.
 */
export function stdoutFile(dir: string): number {
  return openSync(join(dir, 'stdout.log'), 'a');
}

/** Writes `conf` to `<dir>/nginx.conf` and runs `nginx -t -p <dir> -c <dir>/nginx.conf` on it, as is. */
export async function nginxConfigTest(
  nginx: string,
  conf: string,
  dir: string,
): Promise<SpawnSyncReturns<string>> {
  await writeFile(join(dir, 'nginx.conf'), conf);
  const stdout = stdoutFile(dir);
  try {
    return spawnSync(nginx, ['-t', '-p', dir, '-c', join(dir, 'nginx.conf')], {
      encoding: 'utf8',
      stdio: ['ignore', stdout, 'pipe'],
    });
  } finally {
    closeSync(stdout);
  }
}
