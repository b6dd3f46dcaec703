// docs/model-versions.md's "Models from Cloud Storage" block, kept true: its modelship lines parse
// with the commands' flags, and its synth names a source, bucket and service account the charts use.

import { ENVIRONMENTS, parseModelSource } from '@modelship/charts';
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from './args.ts';
import { commands } from './main.ts';
import { exported, lines, shBlock, words } from './runbook-shell.ts';

describe("docs/model-versions.md's Models from Cloud Storage", () => {
  const cloud = shBlock('model-versions.md', 'Models from Cloud Storage');
  const vars: Record<string, string> = { HOME: '/home/user', PROJECT_NUMBER: '123456789012' };
  exported(shBlock('gke.md'), vars);
  exported(cloud, vars);
  const cloudLines = lines(cloud);

  it('publishes, then compares and publishes again, with flags the commands accept', () => {
    const used = cloudLines.filter((l) => l.startsWith('pnpm modelship '));
    expect(used.map((l) => l.split(/\s+/)[2])).toEqual(['publish', 'compare', 'publish']);
    for (const line of used) {
      const [, , command, ...args] = words(line, vars);
      const spec = commands.find((c) => c.name === command);
      if (!spec) expect.fail(`modelship has no command ${command}`);
      const parsed = parseCommandLine(spec, args);
      expect(parsed.positionals, line).toHaveLength(2);
      if (command === 'publish')
        expect(parsed.positionals[1]).toBe(`gs://${vars.BUCKET}/${vars.MODEL_PREFIX}`);
    }
  });

  it('synthesizes with a MODEL_SOURCE the chart accepts, the bucket and KSA the IAM binding names', () => {
    const synth = cloudLines.find((l) => l.endsWith('pnpm synth'));
    const source = synth && /MODEL_SOURCE="([^"]+)"/.exec(synth)?.[1];
    expect(source).toBeDefined();
    const url = words(`"${source}"`, vars)[0] as string;
    expect(parseModelSource(url)).toEqual({
      source: 'gcs',
      bucket: vars.BUCKET,
      prefix: vars.MODEL_PREFIX,
    });
    // The Kubernetes service account is the workload's (named after the gke chart's workload).
    expect(vars.KSA).toBe(ENVIRONMENTS.gke.workload.name);
    expect(cloud).toContain('--role=roles/storage.objectViewer');
    expect(cloud).toContain('--update-addons GcsFuseCsiDriver=ENABLED');
    expect(cloud).toContain(
      'workloadIdentityPools/$PROJECT_ID.svc.id.goog/subject/ns/$NAMESPACE/sa/$KSA',
    );
  });
});
