// The web form without JavaScript: what a browser gets from GET / and from a plain form POST.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createApp } from '../app.ts';
import { QueueFullError } from '../errors.ts';
import { fakeDeps, fakeInsurancePrediction, validRecord } from '../testing/fake-deps.ts';
import { loadFormAssets } from './assets.ts';
import { predictionFormat } from './page.ts';

function setup(options: Parameters<typeof fakeDeps>[0] = {}) {
  const { deps } = fakeDeps(options);
  return { app: createApp(deps), deps };
}

function post(values: Record<string, string>, type = 'application/x-www-form-urlencoded') {
  return {
    method: 'POST',
    headers: { 'Content-Type': type },
    body: new URLSearchParams(values).toString(),
  };
}

const asStrings = (record: Record<string, string | number>) =>
  Object.fromEntries(Object.entries(record).map(([k, v]) => [k, String(v)]));

/** The opening tag of the element with this id. */
function tagOf(page: string, id: string): string {
  const match = new RegExp(`<(?:input|select|p|section|div)\\b[^>]*\\bid="${id}"[^>]*>`).exec(page);
  if (!match) throw new Error(`no element #${id}`);
  return match[0];
}

/** The text inside a simple element (no nested element of the same name) with this id. */
function textOf(page: string, id: string): string {
  const match = new RegExp(`<(p|section|div)\\b[^>]*\\bid="${id}"[^>]*>([\\s\\S]*?)</\\1>`).exec(
    page,
  );
  if (!match) throw new Error(`no element #${id}`);
  const entities: Record<string, string> = {
    '&lt;': '<',
    '&gt;': '>',
    '&quot;': '"',
    '&#39;': "'",
  };
  return (match[2] ?? '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&(?:lt|gt|quot|#39);/g, (e) => entities[e] ?? e)
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

const strictCsp =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

describe('GET /', () => {
  it('renders one labelled control per schema field with its type, range, options and help', async () => {
    const { app } = setup();
    const res = await app.request('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const page = await res.text();
    expect(page).toContain('<label for="age">Age <span class="unit">(years)</span></label>');
    expect(tagOf(page, 'age')).toMatch(/type="number"/);
    expect(tagOf(page, 'age')).toMatch(
      /name="age".*step="1" min="18" max="100" value="40" required/,
    );
    expect(tagOf(page, 'bmi')).toMatch(/step="any" min="10" max="80" value="28.5"/);
    expect(textOf(page, 'age-help')).toBe(
      'Age of the primary beneficiary. A whole number from 18 to 100 years.',
    );
    expect(tagOf(page, 'age')).toContain('aria-describedby="age-help age-error"');
    expect(tagOf(page, 'region')).toMatch(/^<select id="region" name="region" required/);
    const options = [...page.matchAll(/<option value="(\w+)"/g)].map((m) => m[1]);
    expect(options).toEqual([
      'female',
      'male',
      'no',
      'yes',
      'northeast',
      'northwest',
      'southeast',
      'southwest',
    ]);
    expect(page).toContain('<option value="southeast" selected>southeast</option>');
    expect(tagOf(page, 'result')).toContain('aria-live="polite"');
    expect(textOf(page, 'result')).toBe('');
    // Truly empty: CSS :empty hides the result panel until there is something to show.
    expect(page).toMatch(/<section id="result"[^>]*><\/section>/);
    expect(page).toContain(
      '<meta name="viewport" content="width=device-width, initial-scale=1" />',
    );
    expect(page).toContain('Model insurance-charges 1.0.0');
  });

  it('is served under a strict CSP, with only same-origin, non-inline script and style', async () => {
    const { app } = setup();
    const res = await app.request('/');
    expect(res.headers.get('content-security-policy')).toBe(strictCsp);
    const page = await res.text();
    expect(page).toMatch(/<script src="\/static\/form\.[0-9a-f]{12}\.js" defer><\/script>/);
    expect(page).toMatch(/<link rel="stylesheet" href="\/static\/form\.[0-9a-f]{12}\.css" \/>/);
    expect(page).not.toMatch(/<script>|<style|\sstyle=|\son\w+=/);
    expect(page).not.toMatch(/(?:src|href)="(?:https?:)?\/\//);
  });

  it('serves the stylesheet and the script it links, cacheable for good', async () => {
    const { app } = setup();
    const page = await (await app.request('/')).text();
    for (const [pattern, type, marker] of [
      [/href="(\/static\/[^"]+\.css)"/, /^text\/css/, '.field'],
      [/src="(\/static\/[^"]+\.js)"/, /^text\/javascript/, 'predict-form'],
    ] as const) {
      const path = pattern.exec(page)?.[1] ?? '';
      const res = await app.request(path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(type);
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(await res.text()).toContain(marker);
    }
    expect((await app.request('/static/form.000000000000.js')).status).toBe(404);
  });

  it('names the assets by content, so that a changed file gets a new URL', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'form-assets-'));
    await writeFile(join(dir, 'form.css'), 'a {}');
    await writeFile(join(dir, 'form.js'), '1');
    const first = loadFormAssets({ dir: pathToFileURL(`${dir}/`) });
    await writeFile(join(dir, 'form.css'), 'b {}');
    const second = loadFormAssets({ dir: pathToFileURL(`${dir}/`) });
    expect(first.css.path).not.toBe(second.css.path);
    expect(first.js.path).toBe(second.js.path);
  });
});

describe('POST / (no JavaScript)', () => {
  it('renders the prediction with its unit and the model, the values kept', async () => {
    const { app } = setup();
    const values = asStrings({ ...validRecord, age: 52, smoker: 'yes', region: 'northwest' });
    const res = await app.request('/', post(values));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(strictCsp);
    const page = await res.text();
    const expected = fakeInsurancePrediction({ ...validRecord, age: 52, smoker: 'yes' });
    expect(textOf(page, 'result')).toBe(
      `Predicted charges: ${predictionFormat.format(expected)} USD Model insurance-charges 1.0.0`,
    );
    expect(tagOf(page, 'age')).toContain('value="52"');
    expect(page).toContain('<option value="yes" selected>yes</option>');
    expect(page).toContain('<option value="northwest" selected>northwest</option>');
    expect(page).not.toContain('aria-invalid');
  });

  it('accepts multipart/form-data too', async () => {
    const { app } = setup();
    const body = new FormData();
    for (const [k, v] of Object.entries(asStrings(validRecord))) body.append(k, v);
    const res = await app.request('/', { method: 'POST', body });
    expect(res.status).toBe(200);
    expect(textOf(await res.text(), 'result')).toContain('Predicted charges:');
  });

  it('a form of 95,000 (urlencoded) or 5,000 (multipart) fields: a 413 without reading them', async () => {
    const { app } = setup();
    const params = new URLSearchParams(asStrings(validRecord));
    for (let i = 0; i < 95_000; i++) params.append(`x${i.toString(36)}`, '0');
    // Each multipart field takes ~100 bytes: 5,000 of them stay within BODY_LIMIT.
    const multipart = new FormData();
    for (const [k, v] of [...params].slice(0, 5000)) multipart.append(k, v);
    for (const init of [post(Object.fromEntries(params)), { method: 'POST', body: multipart }]) {
      const res = await app.request('/', init);
      expect(res.status).toBe(413);
      expect(await res.json()).toEqual({
        error: {
          code: 'payload_too_large',
          message: 'The form has more than 38 fields; this model has 6.',
          details: [],
        },
      });
    }
  });

  it('a form with a few extra fields (a browser extension): predicted, the extras ignored', async () => {
    const { app } = setup();
    const res = await app.request('/', post({ ...asStrings(validRecord), extra: 'x', more: 'y' }));
    expect(res.status).toBe(200);
  });

  it("shows each invalid field's message next to it (422), values kept, focus on the first", async () => {
    const { app } = setup();
    const { region: _region, ...rest } = asStrings(validRecord);
    const res = await app.request('/', post({ ...rest, age: '12', children: '1.5' }));
    expect(res.status).toBe(422);
    const page = await res.text();
    expect(textOf(page, 'age-error')).toBe('must be >= 18 (got 12)');
    expect(textOf(page, 'children-error')).toBe('must be an integer (got 1.5)');
    expect(textOf(page, 'region-error')).toBe('is required');
    expect(textOf(page, 'bmi-error')).toBe('');
    expect(tagOf(page, 'age')).toMatch(
      /value="12" required aria-describedby="age-help age-error" aria-invalid="true" autofocus/,
    );
    expect(tagOf(page, 'children')).not.toContain('autofocus');
    expect(tagOf(page, 'bmi')).not.toContain('aria-invalid');
    expect(textOf(page, 'error-summary')).toBe(
      '3 values need correcting Age: must be >= 18 (got 12) Children: must be an integer (got 1.5) Region: is required',
    );
    expect(page).toContain('<title>Error: insurance-charges</title>');
    expect(textOf(page, 'result')).toBe('');
  });

  it('reports text in a number field, and escapes it', async () => {
    const { app } = setup();
    const res = await app.request(
      '/',
      post({ ...asStrings(validRecord), bmi: '"><script>x</script>' }),
    );
    expect(res.status).toBe(422);
    const page = await res.text();
    expect(textOf(page, 'bmi-error')).toBe('must be a finite number (got a string)');
    expect(page).not.toContain('<script>x');
    expect(tagOf(page, 'bmi')).toContain('value="&quot;&gt;&lt;script&gt;x&lt;/script&gt;"');
  });

  it('ignores fields that are not in the schema', async () => {
    const { app } = setup();
    const res = await app.request('/', post({ ...asStrings(validRecord), submit: 'Predict' }));
    expect(res.status).toBe(200);
  });

  it('shows a notice (503, Retry-After) while the model is not serving', async () => {
    const { app } = setup({ ready: false });
    const res = await app.request('/', post(asStrings(validRecord)));
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(textOf(await res.text(), 'result')).toBe(
      'The model is not ready yet. Please try again in a moment.',
    );
  });

  it('shows a notice (503, Retry-After) when the queue is full', async () => {
    const { deps } = fakeDeps();
    const app = createApp({
      ...deps,
      predict: async () => {
        throw new QueueFullError();
      },
    });
    const res = await app.request('/', post(asStrings(validRecord)));
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(textOf(await res.text(), 'result')).toBe('Too many pending predictions; retry shortly.');
  });

  it('refuses a body that is not a form (415) or too large (413)', async () => {
    const { app } = setup({ env: { BODY_LIMIT: '64' } });
    const json = await app.request('/', post(asStrings(validRecord), 'application/json'));
    expect(json.status).toBe(415);
    const big = await app.request('/', post({ ...asStrings(validRecord), pad: 'x'.repeat(100) }));
    expect(big.status).toBe(413);
  });
});
