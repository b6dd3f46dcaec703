import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  allowedCpus,
  describeLayout,
  moveTo,
  parseCpuList,
  resolveLayout,
  splitCpus,
} from './cpu-layout.ts';

describe('parseCpuList', () => {
  it('reads the kernel list format: single CPUs and ranges', () => {
    expect(parseCpuList('0')).toEqual([0]);
    expect(parseCpuList('0-3,6,8-9\n')).toEqual([0, 1, 2, 3, 6, 8, 9]);
  });

  it('refuses what is not a CPU list', () => {
    expect(() => parseCpuList('0-x')).toThrow(/not a CPU list: "0-x"/);
    expect(() => parseCpuList('')).toThrow(/not a CPU list/);
  });
});

describe('splitCpus', () => {
  it('gives the load generator the last CPU and the servers the rest', () => {
    expect(splitCpus([1, 0])).toEqual({ servers: [0], load: [1] });
    expect(splitCpus([0, 1, 2, 3])).toEqual({ servers: [0, 1, 2], load: [3] });
  });

  it('has nothing to set apart with one CPU', () => {
    expect(splitCpus([0])).toBeUndefined();
    expect(splitCpus([])).toBeUndefined();
  });
});

describe('resolveLayout', () => {
  it('sets the load generator apart on three CPUs or more when auto, so that nginx and the service keep one each', () => {
    expect(resolveLayout('auto', [0, 1])).toBe('shared');
    expect(resolveLayout('auto', [0, 1, 2])).toBe('apart');
    expect(resolveLayout('apart', [0, 1])).toBe('apart');
    expect(resolveLayout('shared', [0, 1, 2, 3])).toBe('shared');
  });
});

describe('describeLayout', () => {
  it('names each side', () => {
    expect(describeLayout({ servers: [0], load: [1] })).toBe(
      'servers and their nginx on CPU 0, the load generator on CPU 1',
    );
    expect(describeLayout({ servers: [0, 1, 2], load: [3] })).toMatch(/on CPUs 0, 1, 2,/);
    expect(describeLayout()).toMatch(/every process on every CPU/);
  });
});

describe('moveTo (taskset)', () => {
  it("narrows a running process's CPUs, and what it starts afterwards inherits them", async () => {
    const cpus = await allowedCpus();
    const target = [cpus[cpus.length - 1] as number];
    // A shell that, once moved, starts a child and reports the child's allowed CPUs.
    const shell = spawn('sh', ['-c', 'read go; grep Cpus_allowed_list /proc/self/status'], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let out = '';
    shell.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    const exited = new Promise((resolve) => shell.on('exit', resolve));
    await moveTo(shell.pid as number, target);
    expect(await allowedCpus(shell.pid as number)).toEqual(target);
    shell.stdin.end('go\n');
    await exited;
    expect(parseCpuList(out.replace(/^Cpus_allowed_list:\s*/, ''))).toEqual(target);
  });
});
