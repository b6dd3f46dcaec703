import { describe, expect, it } from 'vitest';
import { callgrindInstructions, parseStraceSummary } from './request-counts-parse.ts';

// `strace -c -o FILE` as strace 6.1 (Debian bookworm) writes it.
const summary = `% time     seconds  usecs/call     calls    errors syscall
------ ----------- ----------- --------- --------- ----------------
 95.26    0.009973         212        47           getdents64
  3.07    0.000321           1       186           write
  0.00    0.000000           0         2         2 ioctl
  0.00    0.000000           0        40        19 openat
------ ----------- ----------- --------- --------- ----------------
100.00    0.010469          26       275        21 total
`;

describe('parseStraceSummary', () => {
  it('reads every call with its count, errors or not, and the total', () => {
    const counts = parseStraceSummary(summary);
    expect(counts.total).toBe(275);
    expect(Object.fromEntries(counts.byName)).toEqual({
      getdents64: 47,
      write: 186,
      ioctl: 2,
      openat: 40,
    });
  });

  it('refuses text without a summary', () => {
    expect(() => parseStraceSummary('strace: attach: ptrace(PTRACE_SEIZE, 1): EPERM\n')).toThrow(
      /no strace -c summary/,
    );
  });
});

describe('callgrindInstructions', () => {
  it("reads a dump's summary of instructions", () => {
    const dump =
      'version: 1\ncreator: callgrind-3.19.0\nevents: Ir\nsummary: 331853915\n\nfn=(1)\n';
    expect(callgrindInstructions(dump)).toBe(331_853_915);
  });

  it('refuses a dump of another event or without a summary', () => {
    expect(() => callgrindInstructions('events: Dr\nsummary: 5\n')).toThrow(/not Ir/);
    expect(() => callgrindInstructions('events: Ir\n')).toThrow(/summary/);
  });
});
