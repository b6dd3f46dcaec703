import { describe, expect, it } from 'vitest';
import { countWindow } from './tail-counts.ts';

describe('countWindow', () => {
  it("counts the main thread's turns, wake-ups and log blocks, other threads' calls and V8's events", () => {
    const trace = [
      '100 epoll_pwait(14, [{events=EPOLLIN, data={u32=24, u64=24}}], 1024, 9, NULL, 8) = 1',
      '100  epoll_pwait(14, [], 1024, 0, NULL, 8) = 0',
      '100 futex(0x39af3830, FUTEX_WAKE_PRIVATE, 1) = 1',
      '100 write(1, "{\\"severity\\""..., 16380) = 16380',
      '100 write(1, "[1:0x5] 10 ms: Scavenge"..., 90) = 90',
      '101 futex(0x39af3830, FUTEX_WAIT_PRIVATE, 0, NULL <unfinished ...>',
      '101 <... futex resumed>) = 0',
    ].join('\n');
    const printed =
      '[1:0x5] 10 ms: Scavenge 5.1 (6.0) -> 4.2 (7.0) MB\n[completed optimizing 0x1 <JSFunction f>]\n[bailout (kind: deopt-eager, reason: wrong map): begin]\n';
    expect(countWindow(trace, printed, 100, 500)).toEqual({
      loopTurns: 4,
      nonBlockingTurns: 2,
      threadWakes: 2,
      otherThreadSyscalls: 2,
      writes: 2,
      scavenges: 2,
      optimizations: 2,
      deoptimizations: 2,
    });
  });
});
