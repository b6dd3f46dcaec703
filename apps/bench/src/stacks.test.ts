import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findNginx } from '@modelship/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Running, startConstantServer, withShippedNginx } from './stacks.ts';

describe.skipIf(findNginx() === undefined)('withShippedNginx', () => {
  let workDir: string;
  let stack: Running;
  beforeAll(async () => {
    // A private directory (mkdtemp: mode 0700), as every benchmark command makes its own.
    workDir = await mkdtemp(join(tmpdir(), 'modelship-stacks-test-'));
    const server = await startConstantServer({ workDir, name: 'constant' });
    stack = await withShippedNginx(server, { workDir, name: 'nginx' });
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
    await rm(workDir, { recursive: true, force: true });
  });

  const post = () =>
    fetch(`${stack.url}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });

  it('serves without an error line per request, as in the pod', async () => {
    for (let i = 0; i < 5; i++) expect((await post()).status).toBe(200);
    const log = await readFile(join(workDir, 'nginx.log'), 'utf8');
    expect(log).not.toMatch(/\[(crit|error|alert|emerg)\]/);
  });

  it("its worker sees the pod's drain marker: answers close their connection", async () => {
    expect((await post()).headers.get('connection')).toBe('keep-alive');
    const proxy = stack.proxy as { prefix?: string };
    await writeFile(join(proxy.prefix as string, 'modelship-draining'), '');
    // The marker's absence is cached for a second (open_file_cache_valid).
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect((await post()).headers.get('connection')).toBe('close');
  });
});
