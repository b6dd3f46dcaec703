import { Hono } from 'hono';

/** Liveness: the process is up and its event loop answers. */
export function healthRoutes(): Hono {
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  return app;
}
