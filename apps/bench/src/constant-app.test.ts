import { describe, expect, it } from 'vitest';
import { createConstantApp } from './constant-app.ts';

describe('createConstantApp', () => {
  const app = createConstantApp(42);
  const post = (body: unknown) =>
    app.request('/predict', {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    });

  it('answers one record with the service shape', async () => {
    const res = await post({ age: 40 });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ prediction: 42, model: { name: 'constant', version: '0' } });
  });

  it('answers instances with one constant each', async () => {
    const res = await post({ instances: [{}, {}, {}] });
    expect(((await res.json()) as { predictions: number[] }).predictions).toEqual([42, 42, 42]);
  });

  it('is ready', async () => {
    expect((await app.request('/readyz')).status).toBe(200);
  });
});
