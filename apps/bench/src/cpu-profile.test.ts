import { describe, expect, it } from 'vitest';
import { hotFunctions } from './cpu-profile.ts';

const frame = (functionName: string, url = '/x/app.js', lineNumber = 0) => ({
  functionName,
  url,
  lineNumber,
});

describe('hotFunctions', () => {
  // root → handler → parse, root → handler → write; 3 samples in parse, 1 in write.
  const profile = {
    nodes: [
      { id: 1, callFrame: frame('(root)', ''), children: [2] },
      { id: 2, callFrame: frame('handler', '/x/app.js', 9), children: [3, 4] },
      { id: 3, callFrame: frame('parse') },
      { id: 4, callFrame: frame('write', '') },
    ],
    samples: [3, 3, 4, 3],
    timeDeltas: [10, 10, 10, 10],
  };

  it('splits time into self and inclusive shares per function', () => {
    const hot = hotFunctions(profile);
    const byName = Object.fromEntries(hot.map((f) => [f.name, f]));
    expect(byName['handler (app.js:10)']).toEqual({
      name: 'handler (app.js:10)',
      selfPct: 0,
      totalPct: 100,
    });
    expect(byName['parse (app.js:1)']?.selfPct).toBe(75);
    expect(byName.write?.totalPct).toBe(25);
    expect(hot[0]?.totalPct).toBe(100);
  });
});
