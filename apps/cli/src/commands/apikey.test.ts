import { hashApiKey, parseApiKeyFile } from '@modelship/contract';
import { describe, expect, it } from 'vitest';
import { run } from '../testing.ts';

describe('modelship apikey create', () => {
  it('prints a new key once and its line for the key file', async () => {
    const first = await run(['apikey', 'create', 'mobile-app']);
    expect(first.code).toBe(0);
    const [key, line, ...rest] = first.out.split('\n');
    expect(rest).toEqual([]);
    expect(key).toMatch(/^ms_[A-Za-z0-9_-]{43}$/);
    expect(line).toBe(`mobile-app ${hashApiKey(key ?? '')}`);
    expect(parseApiKeyFile(line ?? '')).toMatchObject({
      ok: true,
      clients: [{ name: 'mobile-app' }],
    });
    expect(first.err).toMatch(/not shown again/);
    expect(first.err).not.toContain(key);
    const second = await run(['apikey', 'create', 'mobile-app']);
    expect(second.out.split('\n')[0]).not.toBe(key);
  });

  it('adds the limits given, as the service reads them', async () => {
    const { code, out } = await run([
      'apikey',
      'create',
      'batch.job',
      '--rate',
      '2.5',
      '--burst',
      '10',
    ]);
    expect(code).toBe(0);
    const line = out.split('\n')[1] ?? '';
    expect(line).toMatch(/^batch\.job [0-9a-f]{64} rate=2\.5 burst=10$/);
    expect(parseApiKeyFile(line)).toMatchObject({ ok: true, clients: [{ rate: 2.5, burst: 10 }] });
  });

  it.each([
    [['apikey', 'create', 'bad name'], /NAME "bad name" must be 1-63 letters/],
    [['apikey', 'create', '-x'], /Unknown option '-x'/],
    [['apikey', 'create', 'n'.repeat(64)], /must be 1-63 letters/],
    [['apikey', 'create', 'ok', '--rate=-1'], /--rate must be >= 0/],
    [['apikey', 'create', 'ok', '--rate', 'fast'], /--rate must be a number/],
    [['apikey', 'create', 'ok', '--burst', '0'], /--burst must be >= 1/],
    [['apikey', 'create', 'ok', '--rate', '1 burst=9'], /one number each/],
    [['apikey', 'delete', 'ok'], /unknown action "delete"/],
    [['apikey', 'create'], /NAME/],
  ])('%j is a usage error (exit 2) that prints no key', async (argv, message) => {
    const { code, out, err } = await run(argv);
    expect(code).toBe(2);
    expect(err).toMatch(message);
    expect(out).toBe('');
  });

  it('is listed in modelship --help, with its own --help', async () => {
    expect((await run(['--help'])).out).toMatch(/apikey create NAME +create a client's API key/);
    const help = await run(['apikey', '--help']);
    expect(help.out).toContain('modelship apikey create NAME');
    expect(help.out).toContain('--rate R');
  });
});
