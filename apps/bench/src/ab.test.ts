import { describe, expect, it } from 'vitest';
import { type AbRun, abTable, parseBuilds } from './ab.ts';
import { repoRoot } from './paths.ts';

describe('parseBuilds', () => {
  it('reads name=path flags, paths relative to the repository', () => {
    expect(parseBuilds(['before=apps/inference/.ab/x/server.js', 'after=/abs/server.js'])).toEqual([
      { name: 'before', entry: `${repoRoot}apps/inference/.ab/x/server.js`, nodeArgs: [] },
      { name: 'after', entry: '/abs/server.js', nodeArgs: [] },
    ]);
  });

  it('passes the words after the path to node as flags', () => {
    expect(parseBuilds(['semi=/abs/server.js  --max-semi-space-size=16 --no-opt'])).toEqual([
      { name: 'semi', entry: '/abs/server.js', nodeArgs: ['--max-semi-space-size=16', '--no-opt'] },
    ]);
  });

  it('refuses a flag without a name or a path, no builds, and repeated names', () => {
    expect(() => parseBuilds(['server.js'])).toThrow(/not name=path/);
    expect(() => parseBuilds(['a='])).toThrow(/not name=path/);
    expect(() => parseBuilds(['a=  '])).toThrow(/not name=path/);
    expect(() => parseBuilds([])).toThrow(/one --build/);
    expect(() => parseBuilds(['a=x.js', 'a=y.js'])).toThrow(/distinct names/);
  });
});

describe('abTable', () => {
  it('reports each build with the medians of its runs and every run', () => {
    const run = (serviceUs: number, rps: number): AbRun => ({
      serviceUs,
      nginxUs: 10,
      rps,
      p50Ms: 1,
      p99Ms: 4,
    });
    const table = abTable(
      new Map([
        ['before', [run(90, 10_000), run(80, 11_000), run(100, 9_000)]],
        ['after', [run(60, 14_000)]],
      ]),
    );
    expect(table).toContain(
      '| before | 100.0 (90.0 + 10.0) | 10000 | 1.000 | 4.00 | 100.0, 90.0, 110.0 |',
    );
    expect(table).toContain('| after | 70.0 (60.0 + 10.0) | 14000 |');
  });
});
