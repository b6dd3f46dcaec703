// docs/canary.md's block, kept true: its synth lines (the installed command) parse with synth's flags and its route
// patches address the HTTPRoute's backendRefs.

import { describe, expect, it } from 'vitest';
import { parseCommandLine } from './args.ts';
import { synthCommand } from './commands/synth.ts';
import { checkoutLines, modelshipLines, shBlock, words } from './runbook-shell.ts';

describe("docs/canary.md's runbook", () => {
  const block = shBlock('canary.md');
  const vars = { HOME: '/home/user', IMAGE: 'i:1', IMAGE2: 'i:2', NAMESPACE: 'serving' };

  it('synthesizes with synth flags, one directory each, and names the candidate churn-candidate', () => {
    const synths = modelshipLines(block).filter((l) => l.startsWith('modelship synth '));
    expect(synths).toHaveLength(2);
    expect(checkoutLines(block)).toEqual([]);
    for (const line of synths) {
      const [, command, ...args] = words(line, vars);
      expect(command).toBe('synth');
      const parsed = parseCommandLine(synthCommand, args);
      expect(parsed.positionals, line).toHaveLength(1);
      expect(parsed.values.name, line).toBe('churn');
    }
    expect(block).toContain('app.kubernetes.io/instance=churn-candidate');
  });

  it("patches the route with JSON patches on the rule's backendRefs", () => {
    const patches = block.matchAll(/-p '([^']*)'/g);
    const ops = [...patches].flatMap(([, json]) => JSON.parse(json as string));
    expect(ops.length).toBeGreaterThan(0);
    for (const op of ops)
      expect(op.path).toMatch(/^\/spec\/rules\/0\/backendRefs\/[01](\/weight)?$/);
  });
});
