// Drift monitoring end to end in-process: the bundled model (real onnxruntime, its committed
// profile.json) behind the app, its training data replayed through /predict, PSI read back
// from /metrics.

import { SERVICE_METRICS } from '@modelship/contract';
import { psiMinRecords } from '@modelship/feature-schema';
import {
  type InsuranceRow,
  insuranceModelDir,
  loadInsuranceRows,
} from '@modelship/insurance-model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.ts';
import { loadConfig } from '../config.ts';
import { loadModel } from '../model/load.ts';
import type { ServedModel } from '../model/served-model.ts';
import { createDeps } from '../service.ts';
import { memoryLogger, postJson } from '../testing/fake-deps.ts';

let model: ServedModel;
let rows: InsuranceRow[];
beforeAll(async () => {
  model = await loadModel({ dir: insuranceModelDir });
  rows = loadInsuranceRows();
});
afterAll(async () => {
  await model.release();
});

type Record_ = Record<string, number | string>;
const records = (change: (r: Record_) => Record_ = (r) => r) =>
  rows.map(({ charges: _, ...r }) => change({ ...r }));

function serve(env: Record<string, string> = {}) {
  const { logger } = memoryLogger();
  const deps = createDeps({ config: loadConfig(env), logger, model, defaultMetrics: false });
  deps.readiness.markReady();
  return createApp(deps);
}
type App = ReturnType<typeof serve>;

async function replay(app: App, batch: readonly Record_[]): Promise<void> {
  for (let i = 0; i < batch.length; i += 100) {
    const res = await app.request('/predict', postJson({ instances: batch.slice(i, i + 100) }));
    expect(res.status).toBe(200);
  }
}

async function scrape(app: App) {
  const text = await (await app.request('/metrics')).text();
  const value = (pattern: string) => {
    const m = new RegExp(`^${pattern} (\\S+)$`, 'm').exec(text);
    if (!m) throw new Error(`no ${pattern} in /metrics`);
    return Number(m[1]);
  };
  const psi = Object.fromEntries(
    model.schema.fields.map((f) => [
      f.name,
      value(`modelship_feature_drift_psi\\{feature="${f.name}"\\}`),
    ]),
  );
  return { text, psi, prediction: value('modelship_prediction_drift_psi'), value };
}

const others = (psi: Record<string, number>, but: string) =>
  Object.entries(psi).filter(([name]) => name !== but);

describe('drift monitoring (bundled model and profile)', () => {
  it('replaying the training data: every PSI below 0.05', async () => {
    const app = serve();
    await replay(app, records());
    const { psi, prediction, value } = await scrape(app);
    for (const [name, v] of Object.entries(psi)) expect(v, name).toBeLessThan(0.05);
    expect(prediction).toBeLessThan(0.05);
    expect(value('modelship_monitor_window_records')).toBe(rows.length);
  });

  it('BMI + 8: bmi above 0.25, the others below 0.05; the prediction PSI rises', async () => {
    const base = await scrape(
      await (async () => {
        const app = serve();
        await replay(app, records());
        return app;
      })(),
    );
    const app = serve();
    await replay(
      app,
      records((r) => ({ ...r, bmi: Number(r.bmi) + 8 })),
    );
    const { psi, prediction } = await scrape(app);
    expect(psi.bmi).toBeGreaterThan(0.25);
    for (const [name, v] of others(psi, 'bmi')) expect(v, name).toBeLessThan(0.05);
    expect(prediction).toBeGreaterThan(base.prediction);
  });

  it('one categorical field forced to one level: that field above 0.25, the others below 0.05', async () => {
    const app = serve();
    await replay(
      app,
      records((r) => ({ ...r, region: 'southeast' })),
    );
    const { psi } = await scrape(app);
    expect(psi.region).toBeGreaterThan(0.25);
    for (const [name, v] of others(psi, 'region')) expect(v, name).toBeLessThan(0.05);
  });

  it('the predictions moving (every row a smoker) moves the prediction PSI above 0.25', async () => {
    const app = serve();
    await replay(
      app,
      records((r) => ({ ...r, smoker: 'yes' })),
    );
    expect((await scrape(app)).prediction).toBeGreaterThan(0.25);
  });

  it('a shift is visible within one window of traffic (MONITOR_WINDOW=500)', async () => {
    const app = serve({ MONITOR_WINDOW: '500' });
    const normal = records();
    await replay(app, normal.slice(0, 500));
    expect((await scrape(app)).psi.bmi).toBeLessThan(0.05);
    await replay(app, records((r) => ({ ...r, bmi: Number(r.bmi) + 8 })).slice(500, 1000));
    const after = await scrape(app);
    expect(after.psi.bmi).toBeGreaterThan(0.25);
    expect(after.value('modelship_monitor_window_records')).toBe(500);
  });

  it('counts every record per bin since the start, labelled by edges and levels', async () => {
    const app = serve({ MONITOR_WINDOW: '100' });
    await replay(app, records());
    await replay(app, records());
    const { text } = await scrape(app);
    const sum = (feature: string) =>
      [
        ...text.matchAll(
          new RegExp(
            `^modelship_feature_bin_records_total\\{feature="${feature}",bin="[^"]+"\\} (\\S+)$`,
            'gm',
          ),
        ),
      ]
        .map((m) => Number(m[1]))
        .reduce((a, b) => a + b, 0);
    expect(sum('bmi')).toBe(2 * rows.length);
    expect(sum('smoker')).toBe(2 * rows.length);
    expect(text).toMatch(
      /modelship_feature_bin_records_total\{feature="bmi",bin="\(-Inf,22\.99\)"\} \d+/,
    );
    expect(text).toMatch(
      /modelship_feature_bin_records_total\{feature="region",bin="southeast"\} \d+/,
    );
  });

  it('counts validation failures by field and reason', async () => {
    const app = serve();
    const [good] = records();
    const bad = [
      { ...good, bmi: 200 },
      { ...good, region: 'mars' },
      { ...good, age: 'forty' },
      (({ children: _, ...r }) => r)(good as Record_),
      { ...good, shoe_size: 44 },
    ];
    for (const body of bad)
      expect((await app.request('/predict', postJson(body))).status).toBe(422);
    const { text } = await scrape(app);
    for (const [field, reason] of [
      ['bmi', 'out_of_range'],
      ['region', 'unknown_level'],
      ['age', 'wrong_type'],
      ['children', 'missing'],
      ['(unknown)', 'unknown_field'],
    ]) {
      expect(text).toContain(
        `modelship_validation_failures_total{field="${field}",reason="${reason}"} 1`,
      );
    }
    expect(text).not.toContain('shoe_size');
  });
});

describe('a window too small for the bins', () => {
  const needed = (m: ServedModel) => {
    const p = m.profile as NonNullable<ServedModel['profile']>;
    return Math.max(
      ...[...Object.values(p.fields), p.prediction].map((d) => psiMinRecords(d.shares)),
    );
  };

  it('11 single requests: no PSI yet, "not enough data yet" on the page, the window gauges', async () => {
    const app = serve();
    for (const record of records().slice(0, 11)) {
      expect((await app.request('/predict', postJson(record))).status).toBe(200);
    }
    const { psi, prediction, value } = await scrape(app);
    for (const [name, v] of Object.entries(psi)) expect(v, name).toBeNaN();
    expect(prediction).toBeNaN();
    expect(value(SERVICE_METRICS.driftWindowRecords)).toBe(11);
    expect(value(SERVICE_METRICS.driftWindowRecordsNeeded)).toBe(needed(model));
    expect(needed(model)).toBeGreaterThan(11);
    const html = await (await app.request('/monitoring')).text();
    expect(html).not.toMatch(/class="psi (shift|ok)"/);
    expect(html.match(/not enough data yet \(11 of the \d+ records the bins need\)/g)).toHaveLength(
      model.schema.fields.length + 1,
    );
  });

  it('MONITOR_WINDOW=11: never a PSI, however many records went through', async () => {
    const app = serve({ MONITOR_WINDOW: '11' });
    await replay(app, records());
    const { psi, prediction, value } = await scrape(app);
    for (const [name, v] of Object.entries(psi)) expect(v, name).toBeNaN();
    expect(prediction).toBeNaN();
    expect(value(SERVICE_METRICS.driftWindowRecords)).toBe(11);
    const html = await (await app.request('/monitoring')).text();
    expect(html).not.toMatch(/class="psi (shift|ok)"/);
    expect(html).toContain('not enough data yet');
  });
});

describe('a model directory without a profile', () => {
  it('serves as before, with the validation counter and no drift series', async () => {
    const { profile: _, ...bare } = model;
    const { logger } = memoryLogger();
    const deps = createDeps({ config: loadConfig({}), logger, model: bare, defaultMetrics: false });
    deps.readiness.markReady();
    const app = createApp(deps);
    expect((await app.request('/predict', postJson(records()[0]))).status).toBe(200);
    const text = await (await app.request('/metrics')).text();
    expect(text).not.toContain('modelship_feature_drift_psi');
    expect(text).toContain('modelship_validation_failures_total');
  });
});

describe('the monitoring page', () => {
  it('shows the training and live share per bin, the PSI and the window', async () => {
    const app = serve({ MONITOR_WINDOW: '15m' });
    await replay(
      app,
      records((r) => ({ ...r, region: 'southeast' })),
    );
    const res = await app.request('/monitoring');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toMatch(
      /^default-src 'none'; style-src 'sha256-/,
    );
    const html = await res.text();
    expect(html).toContain('the last 15m');
    expect(html).toMatch(new RegExp(`data-records>${rows.length}<`));
    expect(html).toMatch(/data-field="region"><h2>region <span class="psi shift"/);
    expect(html).toMatch(/data-field="bmi"><h2>bmi <span class="psi ok"/);
    expect(html).not.toMatch(/(src|href)=/);
  });
});

describe('validation failures on every route', () => {
  it('counts the Open Inference Protocol and the form too', async () => {
    const app = serve();
    const [good] = records();
    const oip = {
      inputs: model.schema.fields.map((f) => ({
        name: f.name,
        shape: [1],
        datatype: f.kind === 'numeric' ? 'FP64' : 'BYTES',
        data: [f.name === 'bmi' ? 500 : (good as Record_)[f.name]],
      })),
    };
    const v2 = await app.request(`/v2/models/${model.identity.name}/infer`, postJson(oip));
    expect(v2.status, await v2.clone().text()).toBe(400);
    const form = new URLSearchParams(
      Object.entries({ ...good, region: 'mars' }).map(([k, v]): [string, string] => [k, String(v)]),
    );
    const page = await app.request('/', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    expect(page.status).toBe(422);
    const { text } = await scrape(app);
    expect(text).toContain(
      'modelship_validation_failures_total{field="bmi",reason="out_of_range"} 1',
    );
    expect(text).toContain(
      'modelship_validation_failures_total{field="region",reason="unknown_level"} 1',
    );
  });
});
