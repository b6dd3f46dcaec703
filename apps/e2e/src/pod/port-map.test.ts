import { describe, expect, it } from 'vitest';
import { allocatePorts } from './port-map.ts';

describe('allocatePorts', () => {
  it('never maps two pod ports to one host port, even when the picker repeats itself', async () => {
    const picks = [41000, 41000, 41000, 41001, 41001, 41002];
    const map = await allocatePorts([8080, 8081, 9090], 'free', async () => picks.shift() ?? 0);
    expect([...map.entries.values()]).toEqual([41000, 41001, 41002]);
    expect(map.local(9090)).toBe(41002);
  });

  it('keeps the manifest numbers in manifest mode', async () => {
    const map = await allocatePorts([8080, 8080, 9090], 'manifest');
    expect([...map.entries]).toEqual([
      [8080, 8080],
      [9090, 9090],
    ]);
    expect(() => map.local(1234)).toThrow(/not mapped/);
  });
});
