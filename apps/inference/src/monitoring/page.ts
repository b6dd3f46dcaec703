import { createHash } from 'node:crypto';
import { PSI_MIN_EXPECTED_COUNT } from '@modelship/feature-schema';
import type { ExplainSummary } from '../explain/explanations.ts';
import type { DriftMonitor, MonitoredDistribution } from './drift-monitor.ts';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The page's only style sheet, inline and allowed by its hash (no external assets at all). */
export const PAGE_STYLE =
  'body{font:14px system-ui,sans-serif;margin:2rem;color:#222}h2{margin:1.5rem 0 .25rem;font-size:1.1rem}' +
  '.psi{font-weight:600}.shift{color:#b3261e}.ok{color:#1b7f3b}.legend span{margin-right:1rem}' +
  'table{border-collapse:collapse}td{padding:.1rem .5rem}';

/** The page's Content-Security-Policy: nothing but its own inline style. */
export const PAGE_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(PAGE_STYLE).digest('base64')}'; frame-ancestors 'none'; base-uri 'none'`;

const TRAINING = '#9a9a9a';
const LIVE = '#1f6fd1';
/** PSI read as a shift above this (the usual rule of thumb). */
const SHIFT = 0.25;

/** Paired horizontal bars: the training share beside the live share, per bin. */
function bars(d: MonitoredDistribution): string {
  let total = 0;
  for (let i = 0; i < d.live.length; i++) total += d.live[i] as number;
  const rowH = 22;
  const labelW = 150;
  const barW = 320;
  const rows = d.bins.map((bin, i) => {
    const train = d.expected[i] as number;
    const live = total > 0 ? (d.live[i] as number) / total : 0;
    const y = i * rowH;
    return (
      `<text x="${labelW - 6}" y="${y + 14}" text-anchor="end" font-size="12">${escapeHtml(bin)}</text>` +
      `<rect x="${labelW}" y="${y + 2}" width="${(train * barW).toFixed(1)}" height="8" fill="${TRAINING}"><title>training ${(train * 100).toFixed(1)}%</title></rect>` +
      `<rect x="${labelW}" y="${y + 11}" width="${(live * barW).toFixed(1)}" height="8" fill="${LIVE}"><title>live ${(live * 100).toFixed(1)}%</title></rect>` +
      `<text x="${labelW + barW + 6}" y="${y + 14}" font-size="11">${(train * 100).toFixed(1)}% → ${(live * 100).toFixed(1)}%</text>`
    );
  });
  const h = d.bins.length * rowH;
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${escapeHtml(d.name)}: training vs live share per bin" width="${labelW + barW + 120}" height="${h}" viewBox="0 0 ${labelW + barW + 120} ${h}">${rows.join('')}</svg>`;
}

/** What the heading says of a PSI: its value, or why there is none yet. */
function psiText(d: MonitoredDistribution, value: number, records: number): string {
  if (!Number.isNaN(value)) return `PSI ${value.toFixed(4)}`;
  if (records === 0) return 'PSI: no records yet';
  return `PSI: not enough data yet (${records} of the ${d.minRecords} records the bins need)`;
}

function section(d: MonitoredDistribution, value: number, records: number): string {
  const shown = psiText(d, value, records);
  const cls = Number.isNaN(value) ? '' : value > SHIFT ? 'shift' : 'ok';
  return `<section data-field="${escapeHtml(d.name)}"><h2>${escapeHtml(d.name)} <span class="psi ${cls}" data-psi="${Number.isNaN(value) ? '' : value}">${shown}</span></h2>${bars(d)}</section>`;
}

/** One line on how `/explain` explains the served version (chosen at load). */
function explainLine(explain: ExplainSummary | undefined): string {
  if (!explain) return '';
  if (explain.method === 'none') {
    return `<p data-explain="none">Explanations: none (${escapeHtml(explain.reason)})</p>`;
  }
  return `<p data-explain="${explain.method}">Explanations: <strong>${explain.method}</strong> in ${explain.space} space against ${explain.backgroundRows} background rows.</p>`;
}

/** What the page shows of a drift monitor. */
export type DriftView = Pick<
  DriftMonitor,
  'fields' | 'prediction' | 'window' | 'profileRows' | 'windowRecords' | 'psi'
>;

/**
 * The drift page: per field (and for the prediction) the training share beside the live
 * share of each bin, as inline SVG bars, with the PSI and the window it covers. Served on the
 * metrics port only (nginx's metrics server); never public.
 */
export function monitoringPage(
  monitor: DriftView,
  model: { name: string; version: string },
  explain?: ExplainSummary,
): string {
  const records = monitor.windowRecords();
  const fields = monitor.fields.map((d) => section(d, monitor.psi(d), records)).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(model.name)} ${escapeHtml(model.version)}: drift</title><style>${PAGE_STYLE}</style></head><body>
<h1>${escapeHtml(model.name)} ${escapeHtml(model.version)}: what the model sees</h1>
${explainLine(explain)}
<p>Window: <strong data-window>${escapeHtml(monitor.window)}</strong>, <strong data-records>${records}</strong> records; training profile: ${monitor.profileRows} rows. PSI above ${SHIFT} reads as a shift; it is shown once the window holds enough records for ${PSI_MIN_EXPECTED_COUNT} in each bin.</p>
<p class="legend"><span><svg width="12" height="8"><rect width="12" height="8" fill="${TRAINING}"/></svg> training</span><span><svg width="12" height="8"><rect width="12" height="8" fill="${LIVE}"/></svg> live</span></p>
${section(monitor.prediction, monitor.psi(monitor.prediction), records)}
${fields}
</body></html>`;
}

/** The page of a model served without a profile. */
export function noProfilePage(
  model: { name: string; version: string },
  explain?: ExplainSummary,
): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>drift</title><style>${PAGE_STYLE}</style></head><body><h1>${escapeHtml(model.name)} ${escapeHtml(model.version)}</h1>${explainLine(explain)}<p>No profile.json in the model directory: drift monitoring is off. Add one with <code>modelship profile DIR --data CSV</code>.</p></body></html>`;
}
