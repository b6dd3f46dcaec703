// docs/canary.md's block, kept true: its synth lines (the installed command) parse with synth's flags and its route
// patches address the HTTPRoute's backendRefs.

import { describe, expect, it } from 'vitest';
import { parseCommandLine } from './args.ts';
import { synthCommand } from './commands/synth.ts';
import { accessConfig } from './commands/synth-access.ts';
import { checkoutLines, exported, lines, modelshipLines, shBlock, words } from './runbook-shell.ts';

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

describe("docs/canary.md's Identity-Aware Proxy", () => {
  const block = shBlock('canary.md', 'Identity-Aware Proxy');
  const vars: Record<string, string> = {
    HOME: '/home/user',
    IMAGE: 'i:1',
    IMAGE2: 'i:2',
    NAMESPACE: 'serving',
  };
  exported(block, vars);

  it('synthesizes with the IAP flags synth accepts, naming the Secret it creates under "key"', () => {
    const [synth, ...others] = modelshipLines(block);
    expect(others).toEqual([]);
    const [, command, ...args] = words(synth as string, vars);
    expect(command).toBe('synth');
    const { values } = parseCommandLine(synthCommand, args);
    const { iap } = accessConfig({ ...values, env: 'gke' });
    const created = lines(block).find((l) => l.includes('create secret generic'));
    expect(created).toContain(
      `create secret generic ${iap?.oauthClientSecretName} --from-file=key=`,
    );
    expect(iap?.oauthClientId).toBe(vars.CLIENT_ID);
  });

  it("grants IAP's accessor role", () => {
    expect(block).toMatch(
      /gcloud iap web add-iam-policy-binding .*--role=roles\/iap\.httpsResourceAccessor/s,
    );
  });
});
