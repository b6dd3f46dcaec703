// `modelship build`'s command line, with a stand-in engine on PATH that records what it is
// asked and snapshots the build context (podman itself builds and runs the image in
// apps/inference/image/podman.image-test.ts, under `pnpm test:image`).
import { existsSync } from 'node:fs';
import { chmod, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadModel } from '@modelship/inference';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { run, standInTools } from '../testing.ts';

/** One call of the stand-in engine: its arguments and a copy of the model's build context. */
interface Call {
  readonly argv: string[];
  readonly context?: string;
}

const engineScript = `#!/usr/bin/env node
const { appendFileSync, cpSync, mkdtempSync } = require('node:fs');
const argv = process.argv.slice(2);
const model = argv.find((a) => a.startsWith('model='));
let context;
if (model) {
  context = mkdtempSync(process.env.STUB_DIR + '/context-');
  cpSync(model.slice('model='.length), context, { recursive: true });
}
appendFileSync(process.env.STUB_LOG, JSON.stringify({ argv, context }) + '\\n');
console.log('STEP 1/2: stand-in ' + argv[0]);
process.exit(argv[0] === process.env.STUB_FAIL ? 3 : 0);
`;

let stubDir: string;
let log: string;
let modelDir: string;
const image = 'europe-west1-docker.pkg.dev/acme/models/churn:1.0.0';

const calls = async (): Promise<Call[]> =>
  existsSync(log)
    ? (await readFile(log, 'utf8'))
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Call)
    : [];

const flag = (argv: readonly string[], name: string) =>
  argv.flatMap((a, i) => (a === name ? [argv[i + 1]] : []));

beforeAll(async () => {
  ({ dir: stubDir, modelDir } = await standInTools('modelship-build-test-', {
    podman: engineScript,
  }));
  process.env.STUB_DIR = stubDir;
  // A private file in the user's directory must still be readable in the image.
  await chmod(join(modelDir, 'schema.json'), 0o600);
  await writeFile(join(modelDir, 'train.csv'), 'not for the image\n');
});

beforeEach(async () => {
  log = join(stubDir, `calls-${Math.random().toString(36).slice(2)}.jsonl`);
  process.env.STUB_LOG = log;
  delete process.env.STUB_FAIL;
});

describe('modelship build', () => {
  it('builds the service Dockerfile with the model directory as its model stage, then pushes', async () => {
    const result = await run(['build', modelDir, '--image', image, '--engine', 'podman', '--push']);
    expect(result.code, result.err).toBe(0);
    expect(result.out).toBe(image);
    expect(result.err).toMatch(/STEP 1\/2: stand-in build/);
    const [build, push, ...rest] = await calls();
    expect(rest).toEqual([]);
    expect(push?.argv).toEqual(['push', image]);

    const argv = build?.argv ?? [];
    expect(argv[0]).toBe('build');
    const root = argv.at(-1) as string;
    expect(existsSync(join(root, 'pnpm-workspace.yaml'))).toBe(true);
    expect(flag(argv, '--file')).toEqual([join(root, 'apps/inference/Dockerfile')]);
    expect(flag(argv, '--tag')).toEqual([image]);
    const model = await loadModel({ dir: modelDir });
    expect(flag(argv, '--label')).toEqual(
      expect.arrayContaining([
        'io.modelship.model.name=churn',
        `io.modelship.model.version=${model.identity.version}`,
        `io.modelship.model.fingerprint=${model.identity.fingerprint}`,
      ]),
    );
    await model.release();
    const [context] = flag(argv, '--build-context');
    expect(context).toMatch(/^model=/);
    // the temporary context is gone; its snapshot holds the model's files only, world-readable
    expect(existsSync(context?.slice('model='.length) as string)).toBe(false);
    const snapshot = build?.context as string;
    expect((await readdir(snapshot)).sort()).toEqual([
      'model-card.md',
      'model.onnx',
      'schema.json',
    ]);
    for (const file of await readdir(snapshot)) {
      expect(await readFile(join(snapshot, file))).toEqual(await readFile(join(modelDir, file)));
      expect((await stat(join(snapshot, file))).mode & 0o777).toBe(0o644);
    }
  });

  it('does not push unless asked', async () => {
    const result = await run(['build', modelDir, '--image', image, '--engine', 'podman']);
    expect(result.code).toBe(0);
    expect((await calls()).map((c) => c.argv[0])).toEqual(['build']);
  });

  it('fails with exit 1 when the engine fails, and pushes nothing', async () => {
    process.env.STUB_FAIL = 'build';
    const result = await run(['build', modelDir, '--image', image, '--engine', 'podman', '--push']);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(
      /modelship build: podman build failed \(exit 3\); its output is above/,
    );
    expect(result.out).toBe('');
    expect((await calls()).map((c) => c.argv[0])).toEqual(['build']);
  });

  it('says how to push by hand when the push fails', async () => {
    process.env.STUB_FAIL = 'push';
    const result = await run(['build', modelDir, '--image', image, '--engine', 'podman', '--push']);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(
      /podman push .* failed \(exit 3\); the image is built: log in to its registry \(podman login\), then podman push /,
    );
  });

  it.each([
    ['no --image', () => [modelDir, '--engine', 'podman'], 2, /--image IMAGE is required/],
    [
      'an image without a tag',
      () => [modelDir, '--image', 'localhost/churn', '--engine', 'podman'],
      2,
      /--image localhost\/churn: must be an image name with a tag, NAME:TAG/,
    ],
    [
      'an unknown engine',
      () => [modelDir, '--image', image, '--engine', 'kaniko'],
      2,
      /--engine kaniko: must be one of docker, podman/,
    ],
    [
      'a missing directory',
      () => [join(stubDir, 'nowhere'), '--image', image, '--engine', 'podman'],
      1,
      /nowhere: no such directory/,
    ],
    [
      'an unknown flag',
      () => [modelDir, '--image', image, '--tag', 'x', '--engine', 'podman'],
      2,
      /Unknown option '--tag'/,
    ],
  ])(
    '%s: a clear message, exit %s, the engine never called',
    async (_what, args, code, message) => {
      const result = await run(['build', ...args()]);
      expect(result.err).toMatch(message);
      expect(result.code).toBe(code);
      expect(await calls()).toEqual([]);
    },
  );
});
