import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { cpuMeter, processCpuSeconds } from './cpu-time.ts';

// Burns 300 ms of its own CPU time (however long that takes on a busy machine), says so,
// then idles until killed, so that its /proc entry is still there when the meter stops.
const burner = `
const start = process.cpuUsage();
while (true) {
  const used = process.cpuUsage(start);
  if (used.user + used.system > 300000) break;
}
process.stdout.write('done');
setInterval(() => {}, 1000);
`;

describe('cpuMeter', () => {
  it('counts the CPU a child process burns', async () => {
    const child = spawn(process.execPath, ['-e', burner]);
    await once(child, 'spawn');
    const meter = cpuMeter([process.pid]);
    await once(child.stdout, 'data');
    const used = meter.stop();
    child.kill();
    expect(used).toBeGreaterThanOrEqual(0.25);
  });

  it('reads 0 for a process that does not exist', () => {
    expect(processCpuSeconds(2 ** 30)).toBe(0);
  });
});
