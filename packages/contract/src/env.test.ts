import { describe, expect, it } from 'vitest';
import { checkServiceEnv, MAX_BATCH_LIMIT, SERVICE_ENV_NAMES, serviceEnvSchema } from './env.ts';

describe('the service environment contract', () => {
  it('reads MONITOR_WINDOW as records or a duration, and PAYLOAD_LOG_SAMPLE as a share', () => {
    const parse = (env: Record<string, string>) => {
      const result = checkServiceEnv(env);
      if (!result.ok) throw new Error(result.issues.map((i) => `${i.name}: ${i.message}`).join());
      return result.env;
    };
    expect(parse({}).MONITOR_WINDOW).toEqual({ kind: 'records', records: 10000 });
    expect(parse({}).PAYLOAD_LOG_SAMPLE).toBe(0);
    expect(parse({ MONITOR_WINDOW: '500' }).MONITOR_WINDOW).toEqual({
      kind: 'records',
      records: 500,
    });
    expect(parse({ MONITOR_WINDOW: '15m' }).MONITOR_WINDOW).toEqual({
      kind: 'duration',
      seconds: 900,
    });
    expect(parse({ PAYLOAD_LOG_SAMPLE: '0.1' }).PAYLOAD_LOG_SAMPLE).toBe(0.1);
    for (const bad of [
      { MONITOR_WINDOW: '0' },
      { MONITOR_WINDOW: '2d' },
      { MONITOR_WINDOW: '25h' },
      { PAYLOAD_LOG_SAMPLE: '1.5' },
    ]) {
      expect(checkServiceEnv(bad).ok, JSON.stringify(bad)).toBe(false);
    }
  });

  it('applies the documented defaults to an empty environment', () => {
    const result = checkServiceEnv({});
    expect(result).toMatchObject({
      ok: true,
      env: {
        PORT: 8080,
        MAX_BATCH: 1000,
        SHUTDOWN_DELAY: 0,
        SHUTDOWN_READINESS: 'fail',
        BATCHING: true,
        LOG_LEVEL: 'info',
      },
    });
  });

  it('reports every bad variable at once, by name, with the bound it breaks', () => {
    const result = checkServiceEnv({
      MAX_BATCH: String(MAX_BATCH_LIMIT + 1),
      PORT: 'eighty',
      GOOGLE_CLOUD_PROJECT: 'Not_A_Project',
      UNRELATED: 'ignored',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((issue) => issue.name).sort()).toEqual([
      'GOOGLE_CLOUD_PROJECT',
      'MAX_BATCH',
      'PORT',
    ]);
    const maxBatch = result.issues.find((issue) => issue.name === 'MAX_BATCH');
    expect(maxBatch?.message).toContain(String(MAX_BATCH_LIMIT));
    expect(maxBatch?.value).toBe('1000001');
  });

  it('treats empty strings as unset', () => {
    expect(checkServiceEnv({ PORT: '', BATCHING: '' })).toMatchObject({
      ok: true,
      env: { PORT: 8080, BATCHING: true },
    });
  });

  it('lists every variable of the schema', () => {
    expect([...SERVICE_ENV_NAMES].sort()).toEqual(Object.keys(serviceEnvSchema.shape).sort());
    expect(SERVICE_ENV_NAMES).toContain('SHUTDOWN_DELAY');
  });
});
