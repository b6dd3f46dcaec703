import { describe, expect, it } from 'vitest';
import { createApp } from './app.ts';

describe('health', () => {
  it('answers /healthz with a JSON status', async () => {
    const res = await createApp().request('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('answers unknown paths with 404', async () => {
    const res = await createApp().request('/nope');
    expect(res.status).toBe(404);
  });
});
