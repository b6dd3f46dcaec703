import { hashApiKey } from '@modelship/contract';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { UnauthorizedError } from '../errors.ts';
import { memoryLogger } from '../testing/fake-deps.ts';
import { secretVolume } from '../testing/secret-volume.ts';
import { ApiKeysFileError, loadApiKeys } from './api-keys.ts';

const one = 'ms_one-0123456789abcdefghijklmnopqrstuvwxyzABCD';
const two = 'ms_two-0123456789abcdefghijklmnopqrstuvwxyzABCD';
const line = (name: string, key: string, extra = '') => `${name} ${hashApiKey(key)}${extra}\n`;
const header = (key: string) => (name: string) => (name === 'x-api-key' ? key : undefined);

/** `modelship_api_key_reloads_total` by outcome. */
async function reloadCounts(registry: Registry) {
  const metric = await registry.getSingleMetric('modelship_api_key_reloads_total')?.get();
  return Object.fromEntries((metric?.values ?? []).map((v) => [v.labels.outcome, v.value]));
}

function load(file: string, env: { rate?: number; burst?: number } = {}) {
  const { logger, lines } = memoryLogger();
  const registry = new Registry();
  let clock = 0;
  const keys = loadApiKeys({
    config: {
      API_KEYS_FILE: file,
      API_KEYS_RATE: env.rate ?? 0,
      API_KEYS_BURST: env.burst,
      API_KEYS_POLL_INTERVAL: 0,
    },
    logger,
    registry,
    now: () => clock,
  });
  return { keys, lines, registry, advance: (ms: number) => (clock += ms) };
}

describe('the key file at startup', () => {
  it('refuses a malformed file naming the file and the line, never the hash', () => {
    const volume = secretVolume('keys', `${line('ok', one)}bad name ${hashApiKey(two)}\n`);
    const error = (() => {
      try {
        load(volume.file);
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error).toBeInstanceOf(ApiKeysFileError);
    expect(error?.message).toMatch(/^API_KEYS_FILE .*keys line 2: field 3 is not an option/);
    expect(error?.message).not.toContain(hashApiKey(two).slice(0, 12));
  });

  it('starts with a file without client lines: zero clients, every key refused', () => {
    for (const text of ['', '# every key revoked\n\n']) {
      const volume = secretVolume('keys', text);
      const { keys } = load(volume.file);
      expect(keys.names()).toEqual([]);
      expect(() => keys.admit(header(one))).toThrow(UnauthorizedError);
      expect(() => keys.admit(() => undefined)).toThrow(/required/);
    }
  });

  it('refuses a missing file', () => {
    expect(() => load('/nonexistent/keys')).toThrow(/API_KEYS_FILE \/nonexistent\/keys: ENOENT/);
  });
});

describe('rotation', () => {
  it('swaps the whole key set for a good new file, keeps it for a bad one', async () => {
    const volume = secretVolume('keys', line('one', one));
    const { keys, lines, registry } = load(volume.file);
    expect(keys.admit(header(one))).toBe('one');
    expect(() => keys.admit(header(two))).toThrow(/not valid/);

    volume.write(line('one', one) + line('two', two));
    await keys.check();
    expect([keys.admit(header(one)), keys.admit(header(two))]).toEqual(['one', 'two']);

    volume.write(`${line('two', two)}broken ${hashApiKey(one)} rate=x\n`);
    await keys.check();
    await keys.check();
    expect(keys.names()).toEqual(['one', 'two']);
    const warnings = lines.filter((l) => l.severity === 'WARNING');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toMatch(/line 2: rate must be a number.*keeping the 2 clients/);
    expect(JSON.stringify(lines)).not.toContain(hashApiKey(one));

    // Another bad content with the same problem is another refusal; an unchanged one is not.
    volume.write(`${line('two', two)}other ${hashApiKey(two)} rate=y\n`);
    await keys.check();
    await keys.check();
    expect(await reloadCounts(registry)).toEqual({ reloaded: 1, refused: 2 });

    volume.write(line('two', two));
    await keys.check();
    expect(keys.admit(header(two))).toBe('two');
    expect(() => keys.admit(header(one))).toThrow(/not valid/);
    expect(await reloadCounts(registry)).toEqual({ reloaded: 2, refused: 2 });
    expect(lines.at(-1)).toMatchObject({
      message: 'API keys reloaded: 1 clients',
      clients: ['two'],
    });
  });

  it('revokes every key for a file without clients, and takes keys again after', async () => {
    const volume = secretVolume('keys', line('one', one) + line('two', two));
    const { keys, lines, registry } = load(volume.file);
    volume.write('# all revoked: incident 42\n');
    await keys.check();
    expect(keys.names()).toEqual([]);
    for (const key of [one, two]) expect(() => keys.admit(header(key))).toThrow(/not valid/);
    expect(lines.at(-1)).toMatchObject({
      severity: 'WARNING',
      message: 'API keys reloaded: 0 clients: every keyed route answers 401 until a key is added',
      clients: [],
    });

    volume.write(line('two', two));
    await keys.check();
    expect(keys.admit(header(two))).toBe('two');
    expect(() => keys.admit(header(one))).toThrow(/not valid/);
    expect(await reloadCounts(registry)).toEqual({ reloaded: 2, refused: 0 });
  });

  it("keeps a client's bucket across a rotation that keeps its limits, not across one that changes them", async () => {
    const volume = secretVolume('keys', line('one', one, ' rate=1 burst=1'));
    const { keys, advance } = load(volume.file);
    expect(keys.admit(header(one))).toBe('one');
    expect(() => keys.admit(header(one))).toThrow(/retry after 1 s/);
    volume.write(line('one', one, ' rate=1 burst=1') + line('two', two));
    await keys.check();
    expect(() => keys.admit(header(one))).toThrow(/over its request rate/);
    volume.write(line('one', one, ' rate=0.1 burst=2'));
    await keys.check();
    expect([keys.admit(header(one)), keys.admit(header(one))]).toEqual(['one', 'one']);
    expect(() => keys.admit(header(one))).toThrow(/retry after 10 s/);
    advance(10_000);
    expect(keys.admit(header(one))).toBe('one');
  });

  it('applies API_KEYS_RATE and API_KEYS_BURST to lines without limits', () => {
    const volume = secretVolume('keys', line('one', one) + line('free', two, ' rate=0'));
    const { keys } = load(volume.file, { rate: 2, burst: 3 });
    for (let i = 0; i < 3; i += 1) expect(keys.admit(header(one))).toBe('one');
    expect(() => keys.admit(header(one))).toThrow(/retry after 1 s/);
    for (let i = 0; i < 10; i += 1) expect(keys.admit(header(two))).toBe('free');
  });
});
