/**
 * Entry of the informational "bare Hono" ceiling process (Hono on @hono/node-server, one
 * process, like the service): `tsx src/constant-server.ts --port 8081`.
 */
import { parseArgs } from 'node:util';
import { serve } from '@hono/node-server';
import { createConstantApp } from './constant-app.ts';

const { values } = parseArgs({ options: { port: { type: 'string' } } });
const port = Number(values.port);
if (!Number.isInteger(port) || port < 1) throw new Error(`--port "${values.port}" is invalid`);
serve({ fetch: createConstantApp().fetch, port, hostname: '127.0.0.1' });
