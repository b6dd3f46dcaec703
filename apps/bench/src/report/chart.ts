import { type Summary, totalCpuUs } from '../summarize.ts';
import type { StackId } from '../targets.ts';

/** One line of a panel. */
export interface Series {
  readonly name: string;
  readonly color: string;
  readonly dashed?: boolean;
  readonly points: readonly { readonly x: number; readonly y: number }[];
}

/** One panel: log-scale y against categorical x (the concurrencies). */
export interface Panel {
  readonly title: string;
  readonly series: readonly Series[];
}

const escapeXml = (text: string): string =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/** Tick values 1, 2, 5 × 10^k covering [min, max]. */
export function logTicks(min: number, max: number): number[] {
  const ticks: number[] = [];
  for (let exp = Math.floor(Math.log10(min)); exp <= Math.ceil(Math.log10(max)); exp++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** exp;
      if (v >= min / 1.0001 && v <= max * 1.0001) ticks.push(v);
    }
  }
  return ticks;
}

function formatTick(v: number): string {
  if (v >= 1000) return `${v / 1000}k`;
  if (v >= 1) return String(v);
  return String(Number(v.toPrecision(2)));
}

const PANEL_W = 440;
const PANEL_H = 300;
const MARGIN = { left: 60, right: 16, top: 36, bottom: 44 };

function panelSvg(panel: Panel, xs: readonly number[], offsetX: number, offsetY: number): string {
  const values = panel.series.flatMap((s) => s.points.map((p) => p.y)).filter((y) => y > 0);
  const title = `<text x="${PANEL_W / 2}" y="20" text-anchor="middle" font-weight="bold">${escapeXml(panel.title)}</text>`;
  if (values.length === 0) {
    return `<g transform="translate(${offsetX},${offsetY})">\n${title}\n<text x="${PANEL_W / 2}" y="${PANEL_H / 2}" text-anchor="middle">not measured</text>\n</g>`;
  }
  const lo = 10 ** Math.floor(Math.log10(Math.min(...values)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...values)));
  const plotW = PANEL_W - MARGIN.left - MARGIN.right;
  const plotH = PANEL_H - MARGIN.top - MARGIN.bottom;
  const xAt = (x: number): number => {
    const i = xs.indexOf(x);
    return MARGIN.left + (xs.length === 1 ? plotW / 2 : (i / (xs.length - 1)) * plotW);
  };
  const yAt = (y: number): number =>
    MARGIN.top +
    plotH -
    ((Math.log10(y) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * plotH;
  const parts: string[] = [`<g transform="translate(${offsetX},${offsetY})">`, title];
  for (const tick of logTicks(lo, hi)) {
    const y = yAt(tick).toFixed(1);
    parts.push(
      `<line x1="${MARGIN.left}" x2="${PANEL_W - MARGIN.right}" y1="${y}" y2="${y}" stroke="#ddd"/>`,
      `<text x="${MARGIN.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle" font-size="11">${formatTick(tick)}</text>`,
    );
  }
  for (const x of xs) {
    const px = xAt(x).toFixed(1);
    parts.push(
      `<line x1="${px}" x2="${px}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" stroke="#eee"/>`,
      `<text x="${px}" y="${MARGIN.top + plotH + 16}" text-anchor="middle" font-size="11">${x}</text>`,
    );
  }
  parts.push(
    `<text x="${MARGIN.left + plotW / 2}" y="${PANEL_H - 8}" text-anchor="middle" font-size="12">connections</text>`,
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`,
  );
  for (const s of panel.series) {
    const pts = s.points.filter((p) => p.y > 0 && xs.includes(p.x));
    if (pts.length === 0) continue;
    const path = pts.map((p) => `${xAt(p.x).toFixed(1)},${yAt(p.y).toFixed(1)}`).join(' ');
    parts.push(
      `<polyline points="${path}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
      ...pts.map(
        (p) =>
          `<circle cx="${xAt(p.x).toFixed(1)}" cy="${yAt(p.y).toFixed(1)}" r="3" fill="${s.color}"><title>${escapeXml(`${s.name}, ${p.x} connections: ${Number(p.y.toPrecision(3))}`)}</title></circle>`,
      ),
    );
  }
  parts.push('</g>');
  return parts.join('\n');
}

/**
 * Renders panels in a grid (`columns` per row) with one shared legend below, as a standalone
 * SVG document.
 */
export function renderChart(
  title: string,
  panels: readonly Panel[],
  xs: readonly number[],
  columns = 2,
): string {
  const legend = panels[0]?.series ?? [];
  // One legend entry per line: the labels are long (the whole path of each stack).
  const legendRows = legend.length;
  const cols = Math.min(columns, panels.length);
  const gridH = PANEL_H * Math.ceil(panels.length / cols);
  const width = PANEL_W * cols;
  const height = gridH + 40 + legendRows * 20 + 10;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${width / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
    `<g transform="translate(0,20)">`,
    ...panels.map((p, i) => panelSvg(p, xs, (i % cols) * PANEL_W, Math.floor(i / cols) * PANEL_H)),
    '</g>',
  ];
  legend.forEach((s, i) => {
    const x = 40;
    const y = gridH + 44 + i * 20;
    parts.push(
      `<line x1="${x}" x2="${x + 28}" y1="${y}" y2="${y}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
      `<text x="${x + 36}" y="${y}" dominant-baseline="middle">${escapeXml(s.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

const COLORS: Readonly<Record<StackId, string>> = {
  'ours-nginx': '#1f6feb',
  'ours-direct': '#6cb6ff',
  'fastapi-nginx': '#bc4c00',
  'fastapi-direct': '#fb8f44',
  'peer-nginx': '#d1242f',
  'ceiling-service': '#57606a',
  'ceiling-hono': '#8c959f',
  'ceiling-hono-direct': '#d0d7de',
  'ceiling-static': '#afb8c1',
  'heavy-on': '#1a7f37',
  'heavy-off': '#4ac26b',
};

/**
 * The benchmark chart, by concurrency for every main target: throughput, p50, p99 and CPU
 * time per request (server + nginx).
 */
export function benchmarkChart(summaries: readonly Summary[], title: string): string {
  const main = summaries.filter((s) => s.group === 'main');
  const ids = [...new Set(main.map((s) => s.id))];
  const xs = [...new Set(main.map((s) => s.connections))].sort((a, b) => a - b);
  const seriesOf = (metric: (s: Summary) => number | undefined): Series[] =>
    ids.map((id) => {
      const rows = main.filter((s) => s.id === id);
      const first = rows[0] as Summary;
      return {
        name: `${first.label}`,
        color: COLORS[first.stack],
        dashed: first.rows > 1,
        points: rows.map((s) => ({ x: s.connections, y: metric(s) ?? 0 })),
      };
    });
  return renderChart(
    title,
    [
      { title: 'Throughput (requests/s, log scale)', series: seriesOf((s) => s.requestsPerSec) },
      { title: 'CPU per request (µs, server + nginx, log)', series: seriesOf(totalCpuUs) },
      { title: 'p50 latency (ms, log scale)', series: seriesOf((s) => s.p50Ms) },
      { title: 'p99 latency (ms, log scale)', series: seriesOf((s) => s.p99Ms) },
    ],
    xs,
  );
}
