import { spawn } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const fixture = fileURLToPath(new URL('./output.fixture.ts', import.meta.url));
const cwd = fileURLToPath(new URL('../..', import.meta.url));

/** Runs the fixture with stdout on a pipe read slowly at first (so it fills), or on a file. */
async function run(stdout: 'pipe' | string): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
    cwd,
    stdio: ['ignore', stdout === 'pipe' ? 'pipe' : openSync(stdout, 'w'), 'inherit'],
  });
  const chunks: Buffer[] = [];
  if (child.stdout) {
    child.stdout.pause();
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    setTimeout(() => child.stdout?.resume(), 500);
  }
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  expect(code).toBe(0);
  return stdout === 'pipe' ? Buffer.concat(chunks).toString('utf8') : readFileSync(stdout, 'utf8');
}

function check(text: string): void {
  const lines = text.split('\n');
  expect(lines.pop()).toBe('');
  const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  expect(parsed[0]).toEqual({ message: 'first' });
  expect(parsed.at(-1)).toEqual({ message: 'last' });
  for (const source of [0, 1]) {
    const ns = parsed.filter((l) => l.source === source).map((l) => l.n);
    expect(ns).toEqual(Array.from({ length: 2000 }, (_, n) => n));
  }
  expect(parsed).toHaveLength(4002);
}

describe("the primary's stdout", { timeout: 60_000 }, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'modelship-output-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('relays lines cut anywhere as whole lines, each source in order, on a pipe that fills', async () => {
    check(await run('pipe'));
  });

  it('does the same on a file', async () => {
    check(await run(join(dir, 'stdout.log')));
  });
});
