// docs/your-model.md's runbook, kept true: it installs the command as the package is published,
// every `modelship` line parses with the command's own flags, and the block runs (init, check,
// build with a stand-in engine, synth) on the foreign churn fixture, which has the columns of
// the page's training script; and the export calls and init lines of its "From other frameworks".

import { readFileSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  foreignFixtureDir,
  foreignFixtures,
} from '@modelship/feature-schema/test-fixtures/foreign.ts';
import { loadModel } from '@modelship/inference';
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from './args.ts';
import { commands } from './main.ts';
import {
  checkoutLines,
  exported,
  modelshipLines as installedLines,
  lines,
  page,
  shBlock,
  words,
} from './runbook-shell.ts';
import { run } from './testing.ts';

const block = shBlock('your-model.md');
const modelshipLines = installedLines(block);
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  name: string;
  bin: Record<string, string>;
};

describe("docs/your-model.md's runbook", () => {
  it('installs the command as it is published, before its first use, and never runs a checkout', () => {
    const all = lines(block);
    const install = all.indexOf(`npm install --global ${pkg.name}`);
    expect(install).toBeGreaterThanOrEqual(0);
    expect(all.findIndex((l) => l.startsWith('modelship '))).toBeGreaterThan(install);
    expect(Object.keys(pkg.bin)).toEqual(['modelship']);
    expect(block).toContain(`npx ${pkg.name} `);
    expect(checkoutLines(block)).toEqual([]);
  });

  it('uses every step of the path: init, check, serve, build, synth', () => {
    expect(modelshipLines.map((l) => l.split(/\s+/)[1])).toEqual([
      'init',
      'check',
      'serve',
      'build',
      'synth',
    ]);
    expect(block).toMatch(/^kubectl apply -f dist\/$/m);
    expect(block).toMatch(/^pip install scikit-learn .*skl2onnx/m);
    expect(block).toMatch(/options=\{LogisticRegression: \{"zipmap": (True|False)\}\}/);
  });

  it.each(modelshipLines)('%s: flags the command accepts, one directory', (line) => {
    const vars = { HOME: '/home/user' };
    exported(shBlock('gke.md'), vars);
    exported(block, vars);
    const [, command, ...args] = words(line.replace(/\s*&$/, ''), vars);
    const spec = commands.find((c) => c.name === command);
    if (!spec) expect.fail(`modelship has no command ${command}`);
    const parsed = parseCommandLine(spec, args);
    expect(parsed.positionals).toHaveLength(1);
  });

  it('runs on a model with the same columns, from init to the manifests', async () => {
    const home = await mkdtemp(join(tmpdir(), 'modelship-readme-'));
    const fixture = foreignFixtureDir(foreignFixtures.churnBinary);
    await mkdir(join(home, 'churn'));
    await copyFile(join(fixture, 'model.onnx'), join(home, 'churn', 'churn.onnx'));
    await copyFile(join(fixture, 'data.csv'), join(home, 'churn', 'churn.csv'));
    // a stand-in `docker` that builds and pushes nothing (podman.image-test builds for real)
    const bin = join(home, 'bin');
    await mkdir(bin);
    await writeFile(join(bin, 'docker'), '#!/bin/sh\nexit 0\n');
    await chmod(join(bin, 'docker'), 0o755);
    const path = process.env.PATH;
    process.env.PATH = `${bin}:${path}`;
    const vars: Record<string, string> = { HOME: home };
    exported(shBlock('gke.md'), vars);
    exported(block, vars);
    try {
      for (const line of modelshipLines) {
        const [, ...argv] = words(line, vars);
        if (argv[0] === 'serve') continue; // serve.test.ts serves a directory for real
        const result = await run(argv, home);
        expect(result.code, `${line}\n${result.err}`).toBe(0);
      }
    } finally {
      process.env.PATH = path;
    }
    expect(await readdir(join(home, 'dist'))).toEqual(['gke.k8s.yaml']);
    const manifests = readFileSync(join(home, 'dist', 'gke.k8s.yaml'), 'utf8');
    // the names the block's kubectl commands use
    for (const name of block.matchAll(/(deployment|service)[/ ](\w+)/g)) {
      expect(manifests).toMatch(
        new RegExp(
          `kind: ${name[1] === 'service' ? 'Service' : 'Deployment'}\\n(.*\\n)*?  name: ${name[2]}\\n`,
        ),
      );
    }
    expect(manifests).toContain(`namespace: ${vars.NAMESPACE}`);
    // the curl's record is valid for the model init made
    const model = await loadModel({ dir: join(home, 'churn', 'model') });
    for (const body of block.matchAll(/-d '(\{.*\})'/g)) {
      expect(model.compiled.validate(JSON.parse(body[1] as string)).ok).toBe(true);
      const [prediction] = await model.run([JSON.parse(body[1] as string)]);
      expect(prediction).toMatchObject({ label: expect.stringMatching(/^(no|yes)$/) });
    }
    await model.release();
  }, 60_000);
});

describe("docs/your-model.md's From other frameworks", () => {
  const section =
    page('your-model.md')
      .split(/^## /m)
      .find((s) => s.startsWith('From other frameworks\n')) ?? '';
  const sh = section.match(/^```sh\n([\s\S]*?)^```$/m)?.[1] ?? '';
  const python = section.match(/^```python\n([\s\S]*?)^```$/m)?.[1] ?? '';

  it('shows the export call of every framework', () => {
    for (const call of [
      'torch.onnx.export(',
      'tf2onnx.convert.from_keras(',
      'onnxmltools.convert_lightgbm(',
      'onnxmltools.convert_xgboost(',
      'save_model("model.onnx", format="onnx")',
      'to_onnx(model, X',
    ]) {
      expect(python).toContain(call);
    }
  });

  it('runs the installed command only', () => {
    expect(checkoutLines(sh)).toEqual([]);
    expect(installedLines(sh)).toEqual(lines(sh));
  });

  it.each(lines(sh))('%s: flags init accepts', (line) => {
    const [, command, ...args] = words(line, { HOME: '/home/user' });
    expect(command).toBe('init');
    const spec = commands.find((c) => c.name === command);
    if (!spec) expect.fail('modelship has no init');
    const parsed = parseCommandLine(spec, args);
    expect(parsed.positionals).toEqual(['model.onnx']);
    expect(parsed.values).toMatchObject({ data: 'train.csv', target: 'target' });
  });
});

describe("docs/your-model.md's API keys", () => {
  const section = shBlock('your-model.md', 'API keys');
  const vars: Record<string, string> = { HOME: '/home/user' };
  exported(shBlock('gke.md'), vars);
  exported(block, vars);

  it('creates a key, the Secret and manifests that mount it, with flags the commands accept', () => {
    const found = installedLines(section).map((line) => {
      const [, command, ...args] = words(line, vars);
      const spec = commands.find((c) => c.name === command);
      if (!spec) expect.fail(`modelship has no command ${command}`);
      return [command, parseCommandLine(spec, args).values] as const;
    });
    expect(found.map(([command]) => command)).toEqual(['apikey', 'synth']);
    const synthValues = (found[1]?.[1] ?? {}) as { 'api-keys-secret'?: string };
    const secret = synthValues['api-keys-secret'];
    expect(secret).toBeDefined();
    expect(section).toContain(`create secret generic ${secret} --from-file=keys=`);
  });
});
