import { Hono } from 'hono';

/**
 * The Node ceiling's app: the service's HTTP stack (Hono) answering `/predict` with a
 * constant after reading and parsing the JSON body, with no validation, encoding, batching
 * or onnxruntime. Same response shapes as the service.
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
