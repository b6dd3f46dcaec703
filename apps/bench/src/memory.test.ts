import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { processTree, treeMemory } from './memory.ts';

describe('memory', () => {
  it('finds child processes and sums their memory', async () => {
    const child = spawn('sleep', ['5']);
    try {
      await new Promise((resolve) => child.once('spawn', resolve));
      expect(processTree(process.pid)).toContain(child.pid);
      const self = treeMemory([process.pid]);
      expect(self.processes).toBeGreaterThanOrEqual(2);
      expect(self.rssMiB).toBeGreaterThan(10);
      expect(self.pssMiB).toBeGreaterThan(0);
      expect(self.pssMiB).toBeLessThanOrEqual(self.rssMiB);
    } finally {
      child.kill();
    }
  });
});
