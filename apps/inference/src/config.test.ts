import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      PORT: 8080,
      HOST: '0.0.0.0',
      MAX_BATCH: 1000,
      BODY_LIMIT: 1_048_576,
      LOG_LEVEL: 'info',
      SHUTDOWN_DELAY: 0,
      SHUTDOWN_TIMEOUT: 20,
      KEEPALIVE_TIMEOUT: 65,
      BATCHING: true,
      MAX_QUEUE: 10_000,
      ORT_INTRA_OP_THREADS: 1,
    });
    expect(config.MODEL_DIR).toMatch(/model\/?$/);
    expect(config.GOOGLE_CLOUD_PROJECT).toBeUndefined();
  });

  it('reads the pod settings', () => {
    const config = loadConfig({
      PORT: '8081',
      HOST: '127.0.0.1',
      SHUTDOWN_DELAY: '10',
      BATCHING: 'off',
      MODEL_DIR: '/models/x',
      KEEPALIVE_TIMEOUT: '75.5',
      GOOGLE_CLOUD_PROJECT: 'acme-prod-42',
    });
    expect(config).toMatchObject({
      PORT: 8081,
      HOST: '127.0.0.1',
      SHUTDOWN_DELAY: 10,
      BATCHING: false,
      MODEL_DIR: '/models/x',
      KEEPALIVE_TIMEOUT: 75.5,
      GOOGLE_CLOUD_PROJECT: 'acme-prod-42',
    });
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ PORT: '', BATCHING: '' })).toMatchObject({ PORT: 8080, BATCHING: true });
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['MAX_BATCH', '0'],
    ['MAX_BATCH', '1.5'],
    ['BODY_LIMIT', '-1'],
    ['LOG_LEVEL', 'verbose'],
    ['SHUTDOWN_DELAY', '-3'],
    ['SHUTDOWN_TIMEOUT', '0'],
    ['KEEPALIVE_TIMEOUT', 'long'],
    ['BATCHING', 'maybe'],
    ['MAX_QUEUE', 'lots'],
    ['ORT_INTRA_OP_THREADS', '0'],
    ['GOOGLE_CLOUD_PROJECT', 'Acme Prod'],
    ['GOOGLE_CLOUD_PROJECT', 'acme'],
  ])('rejects %s=%s, naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(`${name}=${JSON.stringify(value)}`);
  });

  it('lists every bad variable at once', () => {
    expect(() => loadConfig({ PORT: 'x', MAX_QUEUE: 'y' })).toThrow(/PORT="x".*MAX_QUEUE="y"/);
  });
});
