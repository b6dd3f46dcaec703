import { spawn } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ByteSink, createLineWriter } from './stdout.ts';

const fixture = fileURLToPath(new URL('./stdout.fixture.ts', import.meta.url));
const cwd = fileURLToPath(new URL('../../..', import.meta.url));

/**
 * Runs the fixture with stdout on a pipe or on a file; returns what arrived and the count the
 * fixture reported dropping. The pipe is read after `readAfterMs`, or (`'reported'`) only once
 * the fixture has written every line and reported its drops: while it exits.
 */
async function run(
  stdout: 'pipe' | 'closed' | string,
  args: string[],
  readAfterMs: number | 'reported' = 0,
): Promise<{ text: string; dropped: number; droppedAtExit: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, ...args], {
    cwd,
    stdio: [
      'ignore',
      stdout === 'pipe' || stdout === 'closed' ? 'pipe' : openSync(stdout, 'w'),
      'pipe',
    ],
  });
  // Nobody will ever read: the child's writes fail with EPIPE.
  if (stdout === 'closed') child.stdout?.destroy();
  const chunks: Buffer[] = [];
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
    if (readAfterMs === 'reported' && stderr.includes('dropped')) child.stdout?.resume();
  });
  if (child.stdout && stdout !== 'closed') {
    child.stdout.pause();
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    if (readAfterMs !== 'reported') setTimeout(() => child.stdout?.resume(), readAfterMs);
  }
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  expect(code, stderr).toBe(0);
  const dropped = Number(/dropped (\d+)/.exec(stderr)?.[1]);
  const droppedAtExit = Number(/dropped at exit (\d+)/.exec(stderr)?.[1]);
  const text =
    stdout === 'pipe' || stdout === 'closed'
      ? Buffer.concat(chunks).toString('utf8')
      : readFileSync(stdout, 'utf8');
  return { text, dropped, droppedAtExit };
}

/** The numbers of the lines that arrived, each line whole. */
function numbers(text: string): number[] {
  const lines = text.split('\n');
  expect(lines.pop()).toBe('');
  return lines.map((line) => (JSON.parse(line) as { n: number }).n);
}

describe('the line writer on stdout', { timeout: 60_000 }, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'modelship-stdout-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes every line whole and in order on a pipe read late, the last block at exit', async () => {
    const { text, dropped } = await run('pipe', ['5000'], 300);
    expect(dropped).toBe(0);
    expect(numbers(text)).toEqual(Array.from({ length: 5000 }, (_, n) => n));
  });

  it('does the same on a file', async () => {
    const { text, dropped } = await run(join(dir, 'stdout.log'), ['5000']);
    expect(dropped).toBe(0);
    expect(numbers(text)).toEqual(Array.from({ length: 5000 }, (_, n) => n));
  });

  it('drops lines (and says so) instead of buffering without bound when the pipe is not read', async () => {
    // 20,000 lines (~3.5 MB) against 64 KiB in the pipe and at most 100 KB waiting; what waits
    // at exit is written then, while the test reads.
    const { text, dropped } = await run('pipe', ['20000', '100000'], 'reported');
    const arrived = numbers(text);
    expect(dropped).toBeGreaterThan(0);
    expect(arrived.length + dropped).toBe(20_000);
    // What arrived is whole lines in order (a subsequence), the first ones included.
    expect(arrived[0]).toBe(0);
    expect(arrived.every((n, i) => i === 0 || n > (arrived[i - 1] as number))).toBe(true);
  });

  it('counts every line dropped once stdout is gone (EPIPE), not every block', async () => {
    const { text, droppedAtExit } = await run('closed', ['60000']);
    expect(text).toBe('');
    expect(droppedAtExit).toBe(60_000);
  });
});

describe('createLineWriter', () => {
  /** A sink that keeps what it is given. */
  function memorySink(): ByteSink & { blocks: string[] } {
    const blocks: string[] = [];
    return {
      blocks,
      write(bytes) {
        blocks.push(Buffer.from(bytes).toString('utf8'));
        return true;
      },
      pending: () => 0,
      drained: () => Promise.resolve(),
      flushSync: () => {},
    };
  }

  it('writes lines together once a block is full, a longer line on its own', () => {
    const sink = memorySink();
    const writer = createLineWriter({ sink, blockBytes: 64 });
    writer.write(`${'a'.repeat(30)}\n`);
    writer.write(`${'b'.repeat(30)}\n`);
    expect(sink.blocks).toEqual([]);
    writer.write(`${'c'.repeat(10)}\n`);
    expect(sink.blocks).toEqual([`${'a'.repeat(30)}\n${'b'.repeat(30)}\n`]);
    writer.write(`${'d'.repeat(100)}\n`);
    expect(sink.blocks.slice(1)).toEqual([`${'c'.repeat(10)}\n`, `${'d'.repeat(100)}\n`]);
    writer.flushSync();
    expect(sink.blocks).toHaveLength(3);
  });

  it('writes a quiet block after the flush interval, and on flush', async () => {
    const sink = memorySink();
    const writer = createLineWriter({ sink, blockBytes: 1024, flushIntervalMs: 20 });
    writer.write('é\n');
    expect(sink.blocks).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(sink.blocks).toEqual(['é\n']);
    writer.write('z\n');
    await new Promise<void>((resolve) => writer.flush(() => resolve()));
    expect(sink.blocks).toEqual(['é\n', 'z\n']);
  });

  it('emits drop for lines past the bound, and for a block a gone stdout refused', () => {
    let pending = 0;
    let gone = false;
    const sink: ByteSink = {
      write: (bytes) => {
        if (gone) return false;
        pending += bytes.length;
        return true;
      },
      pending: () => pending,
      drained: () => Promise.resolve(),
      flushSync: () => {},
    };
    const writer = createLineWriter({ sink, blockBytes: 16, maxBufferBytes: 40 });
    const drops: string[] = [];
    writer.on('drop', (what: string | Buffer) => drops.push(what.toString()));
    for (const line of [
      'aaaaaaaaa\n',
      'bbbbbbbbb\n',
      'ccccccccc\n',
      'ddddddddd\n',
      'eeeeeeeee\n',
    ]) {
      writer.write(line);
    }
    // a, b and c went to the sink (30 bytes), d waits in the block; e would pass 40 bytes.
    expect(drops).toEqual(['eeeeeeeee\n']);
    gone = true;
    writer.flushSync();
    expect(drops).toEqual(['eeeeeeeee\n', 'ddddddddd\n']);
    // A refused block of several lines: one drop per line.
    writer.write('fff\n');
    writer.write('ggg\n');
    writer.flushSync();
    expect(drops.slice(2)).toEqual(['fff\n', 'ggg\n']);
  });
});
