import { describe, expect, it } from 'vitest';
import { allocationByFunction, allocationReport, type HeapProfileNode } from './alloc-profile.ts';

const node = (
  functionName: string,
  selfSize: number,
  children: HeapProfileNode[] = [],
  url = 'file:///app/server.js',
): HeapProfileNode => ({
  callFrame: { functionName, url, lineNumber: 9, columnNumber: 4 },
  selfSize,
  children,
});

describe('allocationByFunction', () => {
  it('sums self bytes by function across stacks, and inclusive bytes once per stack', () => {
    const profile = {
      head: node('(root)', 0, [
        node('handle', 100, [node('encode', 400), node('handle', 50, [node('encode', 200)])]),
        node('encode', 300, [], 'file:///app/server.js'),
        node('', 8, [], ''),
      ]),
    };
    const { totalBytes, functions } = allocationByFunction(profile);
    expect(totalBytes).toBe(1058);
    expect(functions).toEqual([
      { name: 'encode (server.js:10)', selfBytes: 900, totalBytes: 900 },
      { name: 'handle (server.js:10)', selfBytes: 150, totalBytes: 750 },
      { name: '(anonymous)', selfBytes: 8, totalBytes: 8 },
      { name: '(root) (server.js:10)', selfBytes: 0, totalBytes: 1058 },
    ]);
  });
});

describe("allocationByFunction with a locator (a bundle's source map)", () => {
  it('names located frames by their source file and line, the others by the profile', () => {
    const profile = {
      head: node('(root)', 0, [node('serve', 64), node('emit', 32, [], 'node:events')]),
    };
    const located = allocationByFunction(profile, (frame) =>
      frame.url === 'file:///app/server.js' ? `src/lane.ts:${frame.columnNumber}` : undefined,
    );
    expect(located.functions.map((f) => f.name)).toEqual([
      'serve (src/lane.ts:4)',
      'emit (node:events:10)',
      '(root) (src/lane.ts:4)',
    ]);
  });
});

describe('allocationReport', () => {
  it('prints KB per request, scavenges per 1,000 requests and the top functions with their share', () => {
    const report = allocationReport(
      {
        totalBytes: 2048 * 10,
        functions: [
          { name: 'encode (server.js:10)', selfBytes: 1024 * 15, totalBytes: 1024 * 15 },
          { name: 'handle (server.js:10)', selfBytes: 1024 * 5, totalBytes: 2048 * 10 },
        ],
      },
      10,
      3.25,
      1,
    );
    expect(report.split('\n')).toEqual([
      '2.00 KB allocated per request, 3.25 scavenges per 1,000 requests',
      'self KB/request  share  (inclusive KB/request)  function',
      '           1.50  75.0%  (1.50)  encode (server.js:10)',
    ]);
  });
});
