// docs/model-versions.md's "Models from Cloud Storage" block, kept true: it runs the installed
// command only, its modelship lines parse with the commands' flags, and its synth names the
// source, bucket and service account (the workload's name) that the IAM binding uses.

import { parseModelSource } from '@modelship/charts';
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from './args.ts';
import { initCommand } from './commands/init.ts';
import { synthCommand } from './commands/synth.ts';
import { commands } from './main.ts';
import { checkoutLines, exported, modelshipLines, shBlock, words } from './runbook-shell.ts';
import { workloadName } from './workload-name.ts';

describe("docs/model-versions.md's Models from Cloud Storage", () => {
  const cloud = shBlock('model-versions.md', 'Models from Cloud Storage');
  const ownModel = shBlock('your-model.md');
  const vars: Record<string, string> = { HOME: '/home/user', PROJECT_NUMBER: '123456789012' };
  exported(shBlock('gke.md'), vars);
  exported(ownModel, vars);
  exported(cloud, vars);
  const used = modelshipLines(cloud);
  const argv = (line: string) => words(line, vars).slice(1);

  it('publishes, synthesizes, then compares and publishes again, with flags the commands accept', () => {
    expect(checkoutLines(cloud)).toEqual([]);
    expect(used.map((l) => l.split(/\s+/)[1])).toEqual(['publish', 'synth', 'compare', 'publish']);
    for (const line of used) {
      const [command, ...args] = argv(line);
      const spec = commands.find((c) => c.name === command);
      if (!spec) expect.fail(`modelship has no command ${command}`);
      const parsed = parseCommandLine(spec, args);
      expect(parsed.positionals, line).toHaveLength(command === 'synth' ? 1 : 2);
      if (command === 'publish')
        expect(parsed.positionals[1]).toBe(`gs://${vars.BUCKET}/${vars.MODEL_PREFIX}`);
    }
  });

  it('synthesizes the bucket the IAM binding names, as the service account the binding names', () => {
    const synth = used.find((l) => l.startsWith('modelship synth '));
    if (!synth) expect.fail('no modelship synth line');
    const { positionals, values } = parseCommandLine(synthCommand, argv(synth).slice(1));
    expect(parseModelSource(values['model-source'] ?? '')).toEqual({
      source: 'gcs',
      bucket: vars.BUCKET,
      prefix: vars.MODEL_PREFIX,
    });
    // The same model directory as docs/your-model.md's, whose init names the model.
    const init = modelshipLines(ownModel).find((l) => l.startsWith('modelship init '));
    if (!init) expect.fail('docs/your-model.md: no modelship init line');
    const initArgs = parseCommandLine(initCommand, argv(init).slice(1));
    expect(positionals[0]).toBe(initArgs.values.out);
    // The pods' Kubernetes service account is named after the workload: --name, else model.name.
    expect(vars.KSA).toBe(values.name ?? workloadName(initArgs.values.name ?? ''));
    expect(cloud).toContain('--role=roles/storage.objectViewer');
    expect(cloud).toContain('--update-addons GcsFuseCsiDriver=ENABLED');
    expect(cloud).toContain(
      'workloadIdentityPools/$PROJECT_ID.svc.id.goog/subject/ns/$NAMESPACE/sa/$KSA',
    );
  });
});
