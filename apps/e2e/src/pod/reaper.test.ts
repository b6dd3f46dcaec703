import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hasNginx } from '../testing/pods.ts';
import { type SeenProcess, stillRunning, waitUntilGone } from '../testing/processes.ts';

const fixture = fileURLToPath(new URL('./reaper.fixture.ts', import.meta.url));
const packageDir = fileURLToPath(new URL('../../', import.meta.url));

interface FixtureReport {
  readonly dir: string;
  readonly processes: SeenProcess[];
  readonly reaper: SeenProcess | undefined;
}

/**
 * Vitest ends each test file's worker with SIGTERM (then SIGKILL), and a killed process runs
 * no `exit` handler; a test that timed out never reaches its `pod.stop()`. Here a separate
 * test process starts a real pod, begins its termination (a preStop hook running) and is
 * killed: nothing it started may survive it, and its pod folder must go.
 */
describe.skipIf(!hasNginx())('when the test process running a pod is killed', () => {
  it.concurrent.each<[string, NodeJS.Signals]>([
    ['SIGTERM (how vitest ends a worker)', 'SIGTERM'],
    ['SIGKILL', 'SIGKILL'],
  ])('%s: no process of the pod and no folder outlive it', async (_name, signal) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
      cwd: packageDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    let stdout = '';
    const report = await new Promise<FixtureReport>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const line = stdout.split('\n')[0];
        if (stdout.includes('\n') && line !== undefined) resolve(JSON.parse(line) as FixtureReport);
      });
      child.once('exit', (code) => reject(new Error(`fixture exited (${code}): ${stderr}`)));
    });
    try {
      const commands = report.processes.map((seen) => seen.command);
      expect(commands.filter((command) => command.startsWith('nginx: master'))).toHaveLength(1);
      expect(commands.some((command) => command.startsWith('nginx: worker'))).toBe(true);
      expect(commands.some((command) => command.includes('server.js'))).toBe(true);
      // nginx's preStop hook, past its drain marker: sleeping through the load balancers' lag.
      expect(commands.filter((command) => /^sleep \d+$/.test(command))).toHaveLength(1);
      expect(stillRunning(report.processes)).toHaveLength(report.processes.length);
      expect(existsSync(report.dir)).toBe(true);
      expect(report.reaper).toBeDefined();

      child.kill(signal);
      await exited;

      expect(await waitUntilGone(report.processes)).toEqual([]);
      // The reaper removes the folder, then exits.
      expect(await waitUntilGone(report.reaper ? [report.reaper] : [])).toEqual([]);
      expect(existsSync(report.dir)).toBe(false);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
