import { Hono } from 'hono';

/**
 * The informational "bare Hono" ceiling's app: Hono (the service's framework) answering
 * `/predict` with a constant after reading and parsing the JSON body, with none of the
 * service's middleware (request id, log, metrics, headers, limits) and no model. The floor's
 * ceiling is `service-constant.ts` (the service's own stack); this one shows the framework's.
 * Same response shapes as the service.
 */
export function createConstantApp(prediction = 12345.678): Hono {
  const app = new Hono();
  const model = { name: 'constant', version: '0' };
  app.get('/readyz', (c) => c.json({ status: 'ready' }));
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.post('/predict', async (c) => {
    const body = await c.req.json<{ instances?: unknown[] }>();
    if (Array.isArray(body.instances)) {
      return c.json({ predictions: body.instances.map(() => prediction), model });
    }
    return c.json({ prediction, model });
  });
  return app;
}
