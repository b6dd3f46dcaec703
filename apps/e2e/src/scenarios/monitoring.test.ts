/**
 * The drift page in real headless Chromium: through the pod's metrics port (nginx's
 * metrics-only server, the shipped config) it renders the training share beside the live
 * share for every field, with each field's PSI; the Service port answers 404 for it. Traffic
 * with one field forced to one level shows that field as shifted. A screenshot is kept in
 * apps/e2e/test-results/.
 */
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, send } from '../http/send.ts';
import { resolvePort } from '../manifest/workload.ts';
import type { LocalPod } from '../pod/local-pod.ts';
import { artifactsDir, launchChromium } from '../testing/browser.ts';
import { e2eConfig, hasNginx, requireBinary, startConfiguredPod } from '../testing/pods.ts';
import { bundledSchema, recordWith } from '../testing/records.ts';

const runnable = hasNginx() && requireBinary(e2eConfig.chromiumPath, 'apt-get install chromium');

/** The bundled schema's first categorical field, and its last level. */
const forced = bundledSchema.fields.find((f) => f.levels !== undefined);

describe.skipIf(!runnable)('the drift page in Chromium', () => {
  let pod: LocalPod;
  let browser: Browser;
  let metricsUrl: string;

  beforeAll(async () => {
    [pod, browser] = await Promise.all([startConfiguredPod(), launchChromium()]);
    await pod.waitUntilReady();
    const metrics = resolvePort(pod.workload.pod.containers, 'metrics');
    metricsUrl = `http://127.0.0.1:${pod.ports.local(metrics.containerPort)}`;
  });
  afterAll(async () => {
    await browser?.close();
    await pod?.stop();
  });

  it('is absent from the Service port', async () => {
    for (const path of ['/monitoring', '/monitoring/', '/monitoring?x=1']) {
      expect((await send(pod.url, path)).status, path).toBe(404);
    }
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      expect((await page.goto(`${pod.url}/monitoring`))?.status()).toBe(404);
    } finally {
      await context.close();
    }
  });

  it('renders training vs live shares and PSI per field on the metrics port', async () => {
    if (!forced?.levels) throw new Error('the bundled schema has no categorical field');
    const level = forced.levels.at(-1) as string;
    const instances = Array.from({ length: 50 }, () => recordWith({ [forced.name]: level }));
    for (let i = 0; i < 4; i++) {
      expect((await postJson(pod.url, '/predict', { instances })).status).toBe(200);
    }

    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const requested: string[] = [];
      page.on('request', (request) => requested.push(request.url()));
      const loaded = await page.goto(`${metricsUrl}/monitoring`);
      expect(loaded?.status()).toBe(200);
      // No external assets: the page is the only request.
      expect(requested).toEqual([`${metricsUrl}/monitoring`]);
      expect(await page.locator('[data-window]').textContent()).toBe('the last 10000 records');
      expect(Number(await page.locator('[data-records]').textContent())).toBeGreaterThanOrEqual(
        200,
      );
      for (const field of bundledSchema.fields) {
        const section = page.locator(`section[data-field="${field.name}"]`);
        await expect.poll(() => section.locator('svg rect').count()).toBeGreaterThan(1);
        const bars = await section
          .locator('svg rect')
          .evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('width'))));
        // Training and live bars alternate; the training bars are drawn (non-zero somewhere).
        expect(
          bars.filter((_, i) => i % 2 === 0).some((w) => w > 0),
          field.name,
        ).toBe(true);
      }
      const psiOf = async (name: string) =>
        Number(await page.locator(`section[data-field="${name}"] .psi`).getAttribute('data-psi'));
      expect(await psiOf(forced.name)).toBeGreaterThan(0.25);
      expect(
        await page.locator(`section[data-field="${forced.name}"] .psi`).getAttribute('class'),
      ).toContain('shift');
      await page.screenshot({ path: join(artifactsDir, 'monitoring-page.png'), fullPage: true });
    } finally {
      await context.close();
    }
  });
});
