import { describe, expect, it } from 'vitest';
import { API_KEYS_MAX_CLIENTS, apiKeyLine, hashApiKey, parseApiKeyFile } from './api-keys.ts';
import { checkServiceEnv } from './env.ts';

const hashA = hashApiKey('ms_first');
const hashB = hashApiKey('ms_second');

describe('the key file', () => {
  it('reads names, hashes and per-client limits, skipping comments and blank lines', () => {
    const text = [
      '# clients of the insurance model',
      '',
      `mobile-app ${hashA.toUpperCase()}   # the app`,
      `batch.job ${hashB} rate=2.5 burst=10`,
    ].join('\n');
    expect(parseApiKeyFile(text)).toEqual({
      ok: true,
      clients: [
        { name: 'mobile-app', sha256: hashA },
        { name: 'batch.job', sha256: hashB, rate: 2.5, burst: 10 },
      ],
    });
  });

  it('refuses a bad line by its number, never echoing the hash', () => {
    const cases: [string, RegExp][] = [
      [`bad name ${hashB}`, /field 3 is not an option/],
      [`-dash ${hashB}`, /name must be/],
      [`short ${hashB.slice(1)}`, /SHA-256/],
      [`limits ${hashB} rate=-1`, /rate must be >= 0/],
      [`limits ${hashB} burst=1.5`, /whole number/],
      [`limits ${hashB} burst=0`, /burst must be >= 1/],
      [`limits ${hashB} rate=fast`, /rate must be a number/],
      [`limits ${hashB} speed=3`, /unknown option \(speed\)/],
      [`limits ${hashB} rate=1 rate=2`, /rate is given twice/],
      [`limits ${hashB} 20`, /field 3 is not an option/],
      [`ok ${hashB}`, /listed twice/],
      [`other ${hashA}`, /already another client/],
      [`${'n'.repeat(64)} ${hashB}`, /name must be/],
      [hashB, /SHA-256/],
    ];
    for (const [second, message] of cases) {
      const text = `ok ${hashA}\n${second}\n`;
      const result = parseApiKeyFile(text);
      expect(result, second).toMatchObject({ ok: false, line: 2, message });
      if (result.ok) continue;
      expect(result.message).not.toContain(hashA.slice(0, 16));
      expect(result.message).not.toContain(hashB.slice(1, 17));
    }
  });

  it('reads a file without client lines as zero clients (every key revoked)', () => {
    for (const text of ['', '\n', '# every key revoked\n\n   \n', '  # indented comment']) {
      expect(parseApiKeyFile(text), JSON.stringify(text)).toEqual({ ok: true, clients: [] });
    }
  });

  it('refuses a file with more clients than the bound', () => {
    const many = Array.from(
      { length: API_KEYS_MAX_CLIENTS + 1 },
      (_, i) => `c${i} ${hashApiKey(String(i))}`,
    ).join('\n');
    expect(parseApiKeyFile(many)).toMatchObject({
      ok: false,
      line: API_KEYS_MAX_CLIENTS + 1,
      message: /more than 1000 clients/,
    });
  });

  it('reads back the line apiKeyLine writes', () => {
    const client = { name: 'partner', sha256: hashA, rate: 20, burst: 40 };
    expect(apiKeyLine(client)).toBe(`partner ${hashA} rate=20 burst=40`);
    expect(parseApiKeyFile(apiKeyLine(client))).toEqual({ ok: true, clients: [client] });
  });
});

describe('the API key variables', () => {
  it('default to keys off, nothing open, no limit and a 2 s poll', () => {
    const result = checkServiceEnv({});
    expect(result).toMatchObject({
      ok: true,
      env: { API_KEYS_OPEN: [], API_KEYS_RATE: 0, API_KEYS_POLL_INTERVAL: 2 },
    });
    if (result.ok) expect(result.env.API_KEYS_FILE).toBeUndefined();
  });

  it('read the open routes as a list of known names', () => {
    expect(checkServiceEnv({ API_KEYS_OPEN: ' Form, docs ' })).toMatchObject({
      ok: true,
      env: { API_KEYS_OPEN: ['form', 'docs'] },
    });
    const bad = checkServiceEnv({ API_KEYS_OPEN: 'form,predict', API_KEYS_BURST: '0' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.issues.map((i) => i.name).sort()).toEqual(['API_KEYS_BURST', 'API_KEYS_OPEN']);
    }
  });
});
