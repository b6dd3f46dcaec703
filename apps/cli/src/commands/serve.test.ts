// `modelship serve` through the real bin: the service as a child process on a real port.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  foreignExpected,
  foreignFixtureDir,
  foreignFixtures,
} from '@modelship/feature-schema/test-fixtures/foreign.ts';
import { freePort, waitForHttp } from '@modelship/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { run } from '../testing.ts';

const bin = fileURLToPath(new URL('../../bin/modelship.mjs', import.meta.url));

/** Up to a minute: two tsx processes start on a shared, sometimes saturated machine. */
function waitReady(url: string, child: ChildProcess): Promise<number> {
  return waitForHttp({
    url,
    timeoutMs: 60_000,
    intervalMs: 100,
    check: () => {
      if (child.exitCode !== null) throw new Error(`exited (${child.exitCode}) before ${url}`);
    },
  });
}

let child: ChildProcess | undefined;
afterEach(() => {
  // The bin and the service it started share a process group: end both on failure.
  if (child?.pid && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
});

describe('modelship serve', () => {
  it('serves an init-ed classifier over HTTP, metrics on --ops-port only, and stops on SIGTERM', async () => {
    const name = foreignFixtures.churnBinary;
    const dir = join(await mkdtemp(join(tmpdir(), 'modelship-serve-')), 'churn');
    const init = await run(['init', join(foreignFixtureDir(name), 'model.onnx'), '--out', dir]);
    expect(init.code).toBe(0);
    const port = await freePort();
    const opsPort = await freePort();
    const argv = [bin, 'serve', dir, '--port', String(port), '--ops-port', String(opsPort)];
    child = spawn(process.execPath, argv, {
      env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
    });
    const exited = new Promise<number | null>((resolve) => child?.on('exit', resolve));
    const base = `http://127.0.0.1:${port}`;
    await waitReady(`${base}/readyz`, child);
    const expected = foreignExpected(name);
    const res = await fetch(`${base}/predict_api`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(expected.records[0]),
    });
    expect(await res.json()).toBe(expected.labels?.[0]);
    const metrics = await fetch(`http://127.0.0.1:${opsPort}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/^inference_model_info\{/m);
    expect((await fetch(`${base}/metrics`)).status).toBe(404);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 90_000);

  it('refuses an --ops-port that is the serving port, before starting anything', async () => {
    const dir = foreignFixtureDir(foreignFixtures.churnBinary);
    const same = await run(['serve', dir, '--port', '8090', '--ops-port', '8090']);
    expect(same).toMatchObject({ code: 2, out: '' });
    expect(same.err).toContain('--ops-port (8090) must differ from the serving port (8090)');
    expect((await run(['serve', dir, '--ops-port', 'x'])).code).toBe(2);
  });

  it('requires the keys of --api-keys on the prediction routes', async () => {
    const name = foreignFixtures.churnBinary;
    const root = await mkdtemp(join(tmpdir(), 'modelship-serve-keys-'));
    const dir = join(root, 'churn');
    expect(
      (await run(['init', join(foreignFixtureDir(name), 'model.onnx'), '--out', dir])).code,
    ).toBe(0);
    const created = await run(['apikey', 'create', 'ci']);
    const [key, line] = created.out.split('\n');
    await writeFile(join(root, 'keys'), `${line}\n`);
    const port = await freePort();
    child = spawn(
      process.execPath,
      [bin, 'serve', dir, '--port', String(port), '--api-keys', join(root, 'keys')],
      {
        env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'ignore', 'pipe'],
        detached: true,
      },
    );
    const exited = new Promise<number | null>((resolve) => child?.on('exit', resolve));
    const base = `http://127.0.0.1:${port}`;
    await waitReady(`${base}/readyz`, child);
    const record = JSON.stringify(foreignExpected(name).records[0]);
    const predict = (headers: Record<string, string>) =>
      fetch(`${base}/predict_api`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...headers },
        body: record,
      });
    const refused = await predict({});
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe('Bearer realm="modelship"');
    expect((await predict({ Authorization: `Bearer ${key}` })).status).toBe(200);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 90_000);

  it('refuses an --api-keys file that does not exist', async () => {
    const { code, err } = await run(['serve', '.', '--api-keys', '/nonexistent/keys']);
    expect(code).toBe(1);
    expect(err).toMatch(/--api-keys \/nonexistent\/keys does not exist/);
  });
});
