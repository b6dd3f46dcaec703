// The README's "Deploy your own model" block, kept true: every `pnpm modelship` line parses
// with the command's own flags, and the block runs (init, check, build with a stand-in engine,
// synth) on the foreign churn fixture, which has the columns of the README's training script.

import { readFileSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENVIRONMENTS, parseModelSource } from '@modelship/charts';
import {
  foreignFixtureDir,
  foreignFixtures,
} from '@modelship/feature-schema/test-fixtures/foreign.ts';
import { loadModel } from '@modelship/inference';
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from './args.ts';
import { synthCommand } from './commands/synth.ts';
import { commands } from './main.ts';
import { run } from './testing.ts';

const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

/** The first ```sh block under `## <title>`. */
function shBlock(title: string): string {
  const section = README.split(/^## /m).find((s) => s.startsWith(`${title}\n`));
  const block = section?.match(/^```sh\n([\s\S]*?)^```$/m)?.[1];
  if (block === undefined) throw new Error(`README: no \`\`\`sh block under "## ${title}"`);
  return block;
}

/** Shell lines with continuations joined, here-documents and comments dropped. */
function lines(block: string): string[] {
  const out: string[] = [];
  let heredoc: string | undefined;
  for (const line of block.replace(/\\\n\s*/g, ' ').split('\n')) {
    if (heredoc !== undefined) {
      if (line === heredoc) heredoc = undefined;
      continue;
    }
    heredoc = /<<'?(\w+)'?/.exec(line)?.[1];
    const code = line.replace(/(^|\s)#.*$/, '').trim();
    if (code) out.push(code);
  }
  return out;
}

/** Words of one command line: quotes removed, `$VAR`, `${VAR}` and a leading `~` expanded. */
function words(line: string, vars: Readonly<Record<string, string>>): string[] {
  const out: string[] = [];
  const expand = (text: string) =>
    text.replace(/\$\{?(\w+)\}?/g, (_, name: string) => {
      const value = vars[name];
      if (value === undefined)
        throw new Error(`README: $${name} is used before it is set: ${line}`);
      return value;
    });
  for (const [word] of line.matchAll(/(?:'[^']*'|"[^"]*"|[^\s'"]+)+/g)) {
    let value = '';
    for (const [segment] of word.matchAll(/'[^']*'|"[^"]*"|[^'"]+/g)) {
      if (segment.startsWith("'")) value += segment.slice(1, -1);
      else if (segment.startsWith('"')) value += expand(segment.slice(1, -1));
      else
        value += expand(value === '' ? segment.replace(/^~(?=\/|$)/, vars.HOME ?? '~') : segment);
    }
    out.push(value);
  }
  return out;
}

/** Variables the blocks export (`export A=x B="y"`), in order, each expanded when set. */
function exported(block: string, vars: Record<string, string>): void {
  for (const line of lines(block)) {
    if (!line.startsWith('export ') || line.includes('$(')) continue;
    for (const word of words(line.slice('export '.length), vars)) {
      const [name, ...value] = word.split('=');
      if (name) vars[name] = value.join('=');
    }
  }
}

const block = shBlock('Deploy your own model');
const modelshipLines = lines(block).filter((l) => l.startsWith('pnpm modelship '));

describe("the README's Deploy your own model", () => {
  it('uses every step of the path: init, check, serve, build, synth', () => {
    expect(modelshipLines.map((l) => l.split(/\s+/)[2])).toEqual([
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
    exported(shBlock('Deploy to GKE'), vars);
    exported(block, vars);
    const [, , command, ...args] = words(line.replace(/\s*&$/, ''), vars);
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
    exported(shBlock('Deploy to GKE'), vars);
    exported(block, vars);
    try {
      for (const line of modelshipLines) {
        const [, , ...argv] = words(line, vars);
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

describe("the README's Models from Cloud Storage", () => {
  const cloud = shBlock('Models from Cloud Storage');
  const vars: Record<string, string> = { HOME: '/home/user', PROJECT_NUMBER: '123456789012' };
  exported(shBlock('Deploy to GKE'), vars);
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

describe("the README's Canary and shadow", () => {
  const section = README.split(/^### /m).find((s) => s.startsWith('Canary and shadow\n')) ?? '';
  const block = section.match(/^```sh\n([\s\S]*?)^```$/m)?.[1] ?? '';
  const commands = lines(block);
  const vars = { HOME: '/home/user', IMAGE: 'i:1', IMAGE2: 'i:2', NAMESPACE: 'serving' };

  it('synthesizes with synth flags, one directory each, and names the candidate churn-candidate', () => {
    const synths = commands.filter((l) => l.startsWith('pnpm modelship synth '));
    expect(synths).toHaveLength(2);
    for (const line of synths) {
      const [, , command, ...args] = words(line, vars);
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

describe("the README's From other frameworks", () => {
  const section = README.split(/^### /m).find((s) => s.startsWith('From other frameworks\n')) ?? '';
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

  it.each(lines(sh))('%s: flags init accepts', (line) => {
    const [, , command, ...args] = words(line, { HOME: '/home/user' });
    expect(command).toBe('init');
    const spec = commands.find((c) => c.name === command);
    if (!spec) expect.fail('modelship has no init');
    const parsed = parseCommandLine(spec, args);
    expect(parsed.positionals).toEqual(['model.onnx']);
    expect(parsed.values).toMatchObject({ data: 'train.csv', target: 'target' });
  });
});
