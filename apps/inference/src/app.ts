import { Hono } from 'hono';
import { healthRoutes } from './routes/health.ts';

/** Builds the HTTP application; starting it is `index.ts`'s job. */
export function createApp(): Hono {
  const app = new Hono();
  app.route('/', healthRoutes());
  return app;
}
