import { serve } from '@hono/node-server';
import { createApp } from './app.ts';
import { loadConfig } from './config.ts';

const config = loadConfig();
const app = createApp();
serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, (info) => {
  console.log(
    JSON.stringify({ severity: 'INFO', message: `listening on ${info.address}:${info.port}` }),
  );
});
