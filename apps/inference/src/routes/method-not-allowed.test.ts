import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashApiKey } from '@modelship/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeDeps, validRecord } from '../testing/fake-deps.ts';
import { serveTwins, type Twins } from '../testing/lane-twins.ts';

// A known path asked with another method: 405 with `Allow` in the error body (`POST` on the
// prediction routes), with API keys or without, on Hono's path and with the fast lane in front
// (which leaves it to Hono).

const key = 'ms_method-0123456789abcdefghijklmnopqrstuvwxyzAB';
const keyFile = join(mkdtempSync(join(tmpdir(), 'modelship-keys-')), 'keys');
writeFileSync(keyFile, `caller ${hashApiKey(key)}\n`);

const predictionPaths = [
  '/predict',
  '/predict_api',
  '/explain',
  '/v2/models/insurance-charges/infer',
  '/v2/models/insurance-charges/versions/1.0.0/infer',
  // The method is refused before the model's name is looked at.
  '/v2/models/no-such-model/infer',
];
const methods = ['GET', 'HEAD', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];

for (const [keys, env] of [
  ['without API keys', {}],
  ['with API keys', { API_KEYS_FILE: keyFile }],
] as const) {
  describe(`a prediction route asked with another method, ${keys}`, () => {
    const { deps, lines } = fakeDeps({ env });
    let twins: Twins;
    beforeAll(async () => {
      twins = await serveTwins(deps, lines);
    });
    afterAll(async () => {
      await twins.close();
    });

    for (const path of predictionPaths) {
      it.each(methods)(`${path}: %s is 405 with Allow: POST, the same on both paths`, async (m) => {
        // With keys, a valid key changes nothing; without one the method is still what is wrong.
        for (const headers of [{}, { 'X-API-Key': key }] as Record<string, string>[]) {
          const { hono, lane } = await twins.both(path, () => ({ method: m, headers }));
          expect(hono.status).toBe(405);
          expect(hono.headers.allow).toBe('POST');
          expect(hono.headers['content-type']).toMatch(/^application\/json/);
          expect(hono.headers['www-authenticate']).toBeUndefined();
          if (m !== 'HEAD') {
            expect(JSON.parse(hono.body)).toEqual({
              error: {
                code: 'method_not_allowed',
                message: `${path} answers POST, not ${m}.`,
                details: [],
              },
            });
          }
          expect(hono.lines).toMatchObject([{ method: m, path, status: 405 }]);
          // Labelled by the route's template: the metrics' route label stays bounded.
          expect(hono.lines[0]?.route).toBe(
            path
              .replace(/\/models\/[^/]+/, '/models/:name')
              .replace(/\/versions\/[^/]+/, '/versions/:version'),
          );
          expect(lane.taken).toBe(false);
          expect(lane).toEqual(hono);
        }
      });
    }

    it.each([
      ['/healthz', 'POST', 'GET, HEAD'],
      ['/openapi.json', 'PUT', 'GET, HEAD'],
      ['/docs', 'DELETE', 'GET, HEAD'],
      ['/v2/models/insurance-charges', 'POST', 'GET, HEAD'],
      ['/', 'DELETE', 'GET, HEAD, POST'],
    ])('the page %s: %s is 405 with Allow: %s, before any key check', async (path, m, allow) => {
      const { hono, lane } = await twins.both(path, () => ({ method: m }));
      expect(hono.status).toBe(405);
      expect(hono.headers.allow).toBe(allow);
      expect(JSON.parse(hono.body).error.code).toBe('method_not_allowed');
      expect(lane).toEqual(hono);
    });

    it('still answers POST, and 404 for an unknown path whatever the method', async () => {
      const post = await twins.both('/predict', () => ({
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-API-Key': key },
        body: JSON.stringify(validRecord),
      }));
      expect([post.hono.status, post.lane.status, post.lane.taken]).toEqual([200, 200, true]);
      for (const m of ['GET', 'POST']) {
        const { hono, lane } = await twins.both('/predictions', () => ({ method: m }));
        expect(hono.status).toBe(404);
        expect(lane).toEqual(hono);
      }
    });
  });
}
