/** The real nginx binary for tests: where it is, `nginx -t` on a configuration, a private instance. */
import { type SpawnSyncReturns, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { chmod, mkdir, open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Managed, startProcess } from './process.ts';

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

/** Options of {@link startNginx}. */
export interface StartNginxOptions {
  /** Instance name (log file, prefix directory). */
  readonly name: string;
  /** The complete nginx.conf text. */
  readonly conf: string;
  /** Parent directory of the instance's private prefix. */
  readonly workDir: string;
  /** The nginx binary. @default {@link findNginx}'s */
  readonly binary?: string;
}

/**
 * Starts a private nginx instance: the config is written into its own prefix directory
 * (`nginx -p DIR`, so that relative pid, log and temp paths land there), checked with
 * `nginx -t`, then run in the foreground; SIGQUIT stops it gracefully.
 * @see https://nginx.org/en/docs/switches.html
 */
export async function startNginx(
  options: StartNginxOptions,
): Promise<Managed & { prefix: string }> {
  const binary = options.binary ?? findNginx();
  if (binary === undefined) throw new Error('nginx is not installed (apt-get install nginx)');
  const prefix = join(options.workDir, options.name);
  await mkdir(join(prefix, 'tmp'), { recursive: true });
  // Workers drop to an unprivileged user when the master runs as root: they must be able to
  // reach the temp directories inside the prefix.
  await chmod(prefix, 0o755);
  await chmod(join(prefix, 'tmp'), 0o777);
  const confFile = join(prefix, 'nginx.conf');
  await writeFile(confFile, options.conf);
  const base = ['-p', `${prefix}/`, '-c', confFile, '-e', 'stderr'];
  // stdio goes to a file, not a pipe: libuv pipes are sockets, and nginx cannot open
  // /dev/stdout (the shipped config's access_log) when it is a socket.
  const checkLog = join(prefix, 'nginx-t.log');
  const fd = await open(checkLog, 'w');
  const code = await new Promise<number | null>((resolve, reject) => {
    const check = spawn(binary, [...base, '-t', '-q'], { stdio: ['ignore', fd.fd, fd.fd] });
    check.once('error', reject);
    check.once('exit', resolve);
  }).finally(() => fd.close());
  if (code !== 0) {
    throw new Error(
      `${options.name}: nginx -t rejected the config:\n${await readFile(checkLog, 'utf8')}`,
    );
  }
  const daemonSet = /^\s*daemon\s/m.test(options.conf);
  const managed = startProcess({
    name: options.name,
    command: binary,
    args: daemonSet ? base : [...base, '-g', 'daemon off;'],
    logDir: options.workDir,
    stopSignal: 'SIGQUIT',
  });
  return Object.assign(managed, { prefix });
}
