/**
 * Scenario 6: the web form in real headless Chromium, through nginx, with JavaScript (the
 * script posts to /predict and shows the result in place) and without it (a plain form post
 * answered with the rendered page). Each run fills every field, submits, reads the
 * prediction, then submits an invalid value and reads that field's message. Screenshots are
 * kept in apps/e2e/test-results/.
 */
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonOf, postJson } from '../http/send.ts';
import type { LocalPod } from '../pod/local-pod.ts';
import { artifactsDir, launchChromium } from '../testing/browser.ts';
import { e2eConfig, hasNginx, requireBinary, startConfiguredPod } from '../testing/pods.ts';
import { bundledSchema, type SchemaField } from '../testing/records.ts';

const runnable = hasNginx() && requireBinary(e2eConfig.chromiumPath, 'apt-get install chromium');

/** A record unlike the form's prefilled example: every field must really be filled. */
const record: Record<string, string | number> = Object.fromEntries(
  bundledSchema.fields.map((field: SchemaField) => {
    if (field.levels) return [field.name, field.levels.at(-1) ?? ''];
    const example = Number(field.example);
    const max = field.max ?? example + 1;
    return [field.name, Math.min(max, example + (field.dtype === 'integer' ? 1 : 1.5))];
  }),
);
const numericField = bundledSchema.fields.find((field) => field.max !== undefined);

/** The server's and the script's number format (en-US, two decimals). */
const format = new Intl.NumberFormat('en-US', {
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});

/** The element's text, trimmed (empty when it has none). */
const textOf = async (page: Page, selector: string) =>
  ((await page.locator(selector).textContent()) ?? '').trim();

async function fillEveryField(page: Page): Promise<void> {
  for (const field of bundledSchema.fields) {
    const value = String(record[field.name]);
    if (field.levels) await page.selectOption(`#${field.name}`, value);
    else await page.fill(`#${field.name}`, value);
  }
}

describe.skipIf(!runnable)('the web form in Chromium', () => {
  let pod: LocalPod;
  let browser: Browser;
  let expected: string;

  beforeAll(async () => {
    [pod, browser] = await Promise.all([startConfiguredPod(), launchChromium()]);
    await pod.waitUntilReady();
    const reply = await postJson(pod.url, '/predict', record);
    expect(reply.status).toBe(200);
    expected = format.format((jsonOf(reply) as { prediction: number }).prediction);
  });
  afterAll(async () => {
    await browser?.close();
    await pod?.stop();
  });

  it.each([
    ['with JavaScript', true],
    ['without JavaScript', false],
  ])('predicts and shows field messages %s', async (_name, javaScriptEnabled) => {
    const slug = javaScriptEnabled ? 'js' : 'no-js';
    const context = await browser.newContext({ javaScriptEnabled });
    try {
      const page = await context.newPage();
      const posts: string[] = [];
      page.on('request', (request) => {
        if (request.method() === 'POST') posts.push(new URL(request.url()).pathname);
      });
      const loaded = await page.goto(`${pod.url}/`);
      expect(loaded?.status()).toBe(200);
      for (const field of bundledSchema.fields) {
        expect(await page.locator(`#${field.name}`).getAttribute('name')).toBe(field.name);
      }

      await fillEveryField(page);
      await page.click('button[type="submit"]');
      await expect.poll(() => textOf(page, '#result')).toContain(expected);
      await page.screenshot({
        path: join(artifactsDir, `form-${slug}-prediction.png`),
        fullPage: true,
      });
      // The script answers in place through the JSON API, then fetches the server-rendered
      // explanation chart from the form's own route; without it the form posts itself.
      // The bundled model ships background rows, so the answer explains itself in both modes.
      await expect.poll(() => page.locator('#result .explanation').count()).toBe(1);
      expect(posts).toEqual(javaScriptEnabled ? ['/predict', '/'] : ['/']);

      if (!numericField || numericField.max === undefined) throw new Error('no bounded field');
      const error = `#${numericField.name}-error`;
      expect(await textOf(page, error)).toBe('');
      await page.fill(`#${numericField.name}`, String(numericField.max + 1000));
      await page.click('button[type="submit"]');
      await expect.poll(() => textOf(page, error)).not.toBe('');
      await page.screenshot({
        path: join(artifactsDir, `form-${slug}-invalid.png`),
        fullPage: true,
      });
      expect(await page.locator(`#${numericField.name}`).getAttribute('aria-invalid')).toBe('true');
      for (const field of bundledSchema.fields.filter((f) => f.name !== numericField.name)) {
        expect(await textOf(page, `#${field.name}-error`)).toBe('');
      }
      // The stale prediction is gone, so nobody reads it as the answer to the invalid input.
      expect(await textOf(page, '#result')).not.toContain(expected);
    } finally {
      await context.close();
    }
  });
});
