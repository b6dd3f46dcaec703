import { describe, expect, it } from 'vitest';
import { createReadiness, type LifecycleState } from './readiness.ts';

describe('readiness', () => {
  it('tells its listeners each change of state, once, and not the calls that change nothing', () => {
    const readiness = createReadiness();
    const seen: LifecycleState[] = [];
    const stop = readiness.onChange((state) => seen.push(state));
    readiness.markReady();
    readiness.markReady();
    readiness.startDraining();
    readiness.startDraining();
    readiness.markStopping();
    readiness.markStopped();
    readiness.markStopped();
    expect(seen).toEqual(['ready', 'draining', 'stopping', 'stopped']);
    stop();
    createReadiness().markReady();
    expect(seen).toHaveLength(4);
  });
});
