// `modelship publish` with a stand-in gcloud on PATH that records its calls and keeps the
// "bucket" in a local folder; the service then serves that folder, read-only, as a versioned
// source (what the Cloud Storage FUSE driver mounts in the pod) and follows its `current`.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createLogger, loadConfig, type Service, startService } from '@modelship/inference';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { run, standInTools } from '../testing.ts';

/** The stand-in: `storage cp [--no-clobber] SRC... gs://B/P/` and `storage cp - gs://B/P/O`. */
const gcloudScript = `#!/usr/bin/env node
const { appendFileSync, copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const { basename, dirname, join } = require('node:path');
const argv = process.argv.slice(2);
const local = (url) => join(process.env.STUB_BUCKETS, url.slice('gs://'.length));
const [verb, sub, ...rest] = argv;
const flags = rest.filter((a) => a.startsWith('--'));
const [dest, ...sources] = rest.filter((a) => !a.startsWith('--')).reverse();
const stdin = sources[0] === '-' ? readFileSync(0, 'utf8') : undefined;
appendFileSync(process.env.STUB_LOG, JSON.stringify({ argv, stdin }) + '\\n');
if (verb !== 'storage' || sub !== 'cp' || process.env.STUB_FAIL === dest) process.exit(1);
if (stdin !== undefined) {
  mkdirSync(dirname(local(dest)), { recursive: true });
  writeFileSync(local(dest), stdin);
} else {
  mkdirSync(local(dest), { recursive: true });
  for (const source of sources) {
    const target = join(local(dest), basename(source));
    if (flags.includes('--no-clobber') && existsSync(target)) continue;
    copyFileSync(source, target);
  }
}
`;

let stubDir: string;
let buckets: string;
let log: string;
let modelDir: string;
const url = 'gs://acme-models/models/churn';

const calls = async () =>
  existsSync(log)
    ? (await readFile(log, 'utf8'))
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { argv: string[]; stdin?: string })
    : [];

beforeAll(async () => {
  ({ dir: stubDir, modelDir } = await standInTools('modelship-publish-test-', {
    gcloud: gcloudScript,
  }));
  buckets = join(stubDir, 'buckets');
  process.env.STUB_BUCKETS = buckets;
  await writeFile(join(modelDir, 'train.csv'), 'stays local\n');
});

beforeEach(() => {
  log = join(stubDir, `calls-${Math.random().toString(36).slice(2)}.jsonl`);
  process.env.STUB_LOG = log;
  delete process.env.STUB_FAIL;
});

describe('modelship publish', () => {
  it('checks DIR, then prints the upload (model files only, no clobber) and the current write', async () => {
    const result = await run(['publish', modelDir, url, '--version', '2.0.0']);
    expect(result.code).toBe(0);
    const lines = result.out.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(
      `gcloud storage cp --no-clobber ${['model.onnx', 'schema.json', 'model-card.md']
        .map((f) => join(modelDir, f))
        .join(' ')} ${url}/2.0.0/`,
    );
    expect(lines[1]).toBe(`printf '%s\\n' 2.0.0 | gcloud storage cp - ${url}/current`);
    expect(result.err).toContain("passes the server's load checks");
    expect(await calls()).toEqual([]);
  });

  it("--run uploads the version, then names it in current; the version defaults to the model's", async () => {
    const result = await run(['publish', modelDir, `${url}/`, '--run']);
    expect(result.code, result.err).toBe(0);
    const [upload, current] = await calls();
    expect(upload?.argv.slice(0, 3)).toEqual(['storage', 'cp', '--no-clobber']);
    expect(upload?.argv.at(-1)).toBe(`${url}/1.0.0/`);
    expect(current).toEqual({ argv: ['storage', 'cp', '-', `${url}/current`], stdin: '1.0.0\n' });
    const root = join(buckets, 'acme-models/models/churn');
    expect(await readFile(join(root, 'current'), 'utf8')).toBe('1.0.0\n');
    expect(existsSync(join(root, '1.0.0/model.onnx'))).toBe(true);
    expect(existsSync(join(root, '1.0.0/train.csv'))).toBe(false);
    expect(result.out).toBe(`${url}/current: 1.0.0`);
  });

  it('leaves current alone when the upload fails', async () => {
    process.env.STUB_FAIL = `${url}/3.0.0/`;
    const result = await run(['publish', modelDir, url, '--version', '3.0.0', '--run']);
    expect(result.code).toBe(1);
    expect(result.err).toContain('current is unchanged');
    expect(await calls()).toHaveLength(1);
  });

  it.each([
    [['publish', 'DIR'], 'give DIR and gs://BUCKET/PREFIX'],
    [['publish', 'DIR', 's3://acme/models'], 'give gs://BUCKET/PREFIX'],
    [['publish', 'DIR', 'gs://acme'], 'give gs://BUCKET/PREFIX'],
    [['publish', 'DIR', 'gs://Acme/models'], 'is not a Cloud Storage bucket name'],
    [['publish', 'DIR', 'gs://acme/models/../x'], "'prefix'"],
  ])('usage: %j', async (argv, message) => {
    const result = await run(argv);
    expect(result.code).toBe(2);
    expect(result.err).toContain(message);
  });

  it('refuses a bad --version and a directory the server would refuse', async () => {
    const bad = await run(['publish', modelDir, url, '--version', '../x']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--version "../x"');
    const empty = await mkdtemp(join(stubDir, 'empty-'));
    expect((await run(['publish', empty, url])).code).toBe(1);
    expect(await calls()).toEqual([]);
  });
});

describe('the service on a published, read-only source (the FUSE mount, locally)', () => {
  let service: Service | undefined;
  const root = () => join(buckets, 'acme-models/models/churn');
  // What the driver's read-only mount gives the service: nothing it could write to.
  const readOnly = (mode: 'a-w' | 'u+w') => execFileSync('chmod', ['-R', mode, root()]);
  afterAll(async () => {
    await service?.shutdown.begin('test done');
    await readOnly('u+w');
  });

  it('serves the version current names and follows a new current', async () => {
    // A second version of the model: another schema version, re-stamped.
    const second = join(stubDir, 'churn-2');
    await cp(modelDir, second, { recursive: true });
    const schema = JSON.parse(await readFile(join(second, 'schema.json'), 'utf8'));
    schema.model.version = '2.0.0';
    await writeFile(join(second, 'schema.json'), JSON.stringify(schema, null, 2));
    expect((await run(['stamp', second])).code).toBe(0);
    expect((await run(['publish', modelDir, url, '--run'])).code).toBe(0);
    await readOnly('a-w');
    service = await startService({
      config: loadConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        MODEL_DIR: root(),
        MODEL_POLL_INTERVAL: '0.05',
      }),
      logger: createLogger({ level: 'silent' }),
      exit: () => {},
    });
    const predict = async () => {
      const example = service?.deps.models.current.model.compiled.example;
      const response = await fetch(`http://127.0.0.1:${service?.port}/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(example),
      });
      expect(response.status).toBe(200);
      return response.headers.get('x-model-version');
    };
    expect(await predict()).toBe('1.0.0');
    await readOnly('u+w');
    expect((await run(['publish', second, url, '--run'])).code).toBe(0);
    await readOnly('a-w');
    await expect.poll(predict, { timeout: 10_000, interval: 50 }).toBe('2.0.0');
  });
});
