import { html } from 'hono/html';

/** What the form shows of an explanation: each field's signed contribution, largest first. */
export interface FormExplanation {
  readonly method: string;
  readonly space: string;
  /** The class explained (a classifier's predicted class), if any. */
  readonly of?: string;
  readonly baseline: number;
  readonly output: number;
  readonly rows: readonly { readonly label: string; readonly value: number }[];
}

const number = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 4 });
const signed = (v: number) => `${v >= 0 ? '+' : '−'}${number.format(Math.abs(v))}`;

// Geometry of the chart (SVG user units): labels, then bars around a zero line, then values.
const LABELS = 150;
const HALF = 150;
const ZERO = LABELS + 10 + HALF;
const ROW = 22;
const WIDTH = ZERO + HALF + 90;

/** Orders rows largest contribution first (by size, sign kept). */
export function byMagnitude<T extends { readonly value: number }>(rows: readonly T[]): T[] {
  return [...rows].sort((a, b) => Math.abs(b.value) - Math.abs(a.value));
}

/**
 * A horizontal bar per field, server-rendered as SVG (no script, no inline style: the page's
 * CSP allows neither): bars right of the zero line raise the output, left lower it; the
 * caption gives the baseline, the output and how they were computed.
 */
export function renderExplanation(e: FormExplanation) {
  const rows = byMagnitude(e.rows);
  const top = Math.max(...rows.map((r) => Math.abs(r.value)), Number.MIN_VALUE);
  const height = rows.length * ROW + 8;
  const of = e.of === undefined ? '' : ` of ${e.of}`;
  return html`<figure class="explanation" data-method="${e.method}" data-space="${e.space}">
          <figcaption>Why: each field's contribution${of} (${e.method}, ${e.space} space). Baseline ${number.format(e.baseline)}, plus the contributions, gives ${number.format(e.output)}.</figcaption>
          <svg viewBox="0 0 ${String(WIDTH)} ${String(height)}" width="${String(WIDTH)}" height="${String(height)}" role="img" aria-label="Contribution of each field, largest first">
            <line class="zero" x1="${String(ZERO)}" y1="0" x2="${String(ZERO)}" y2="${String(height)}" />
            ${rows.map((r, i) => {
              const w = (Math.abs(r.value) / top) * HALF;
              const y = i * ROW + 4;
              const x = r.value >= 0 ? ZERO : ZERO - w;
              return html`<g class="bar ${r.value >= 0 ? 'up' : 'down'}" data-field="${r.label}" data-value="${String(r.value)}">
              <text x="${String(LABELS)}" y="${String(y + 14)}" text-anchor="end">${r.label}</text>
              <rect x="${x.toFixed(2)}" y="${String(y + 2)}" width="${w.toFixed(2)}" height="${String(ROW - 6)}" />
              <text x="${String(ZERO + HALF + 8)}" y="${String(y + 14)}">${signed(r.value)}</text>
            </g>`;
            })}
          </svg>
        </figure>`;
}
