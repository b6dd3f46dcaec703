/** One series of points of the predicted-vs-actual chart. */
export interface ChartSeries {
  readonly label: string;
  readonly color: string;
  readonly actual: readonly number[];
  readonly predicted: readonly number[];
}

/** Options of {@link predictedVsActualSvg}. */
export interface ChartOptions {
  readonly title: string;
  readonly unit: string;
  /** @default 640 */
  readonly width?: number;
  /** @default 520 */
  readonly height?: number;
  /** Axis tick spacing in target units. @default 10000 */
  readonly tick?: number;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (n: number) => n.toFixed(1);

/**
 * A self-contained SVG scatter plot of predicted against actual values, with the identity
 * line (a perfect model) and one colour per series. Deterministic output for the same input.
 */
export function predictedVsActualSvg(
  series: readonly ChartSeries[],
  options: ChartOptions,
): string {
  const { width = 640, height = 520, tick = 10000 } = options;
  const margin = { left: 70, right: 20, top: 40, bottom: 60 };
  const all = series.flatMap((s) => [...s.actual, ...s.predicted]);
  const max = Math.ceil(Math.max(...all) / tick) * tick;
  const min = Math.min(0, Math.floor(Math.min(...all) / tick) * tick);
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const x = (v: number) => margin.left + ((v - min) / (max - min)) * plotW;
  const y = (v: number) => margin.top + plotH - ((v - min) / (max - min)) * plotH;

  const lines: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${esc(options.title)}</text>`,
  ];
  for (let v = min; v <= max; v += tick) {
    const label = `${v / 1000}k`;
    lines.push(
      `<line x1="${fmt(x(v))}" y1="${margin.top}" x2="${fmt(x(v))}" y2="${margin.top + plotH}" stroke="#eee"/>`,
      `<line x1="${margin.left}" y1="${fmt(y(v))}" x2="${margin.left + plotW}" y2="${fmt(y(v))}" stroke="#eee"/>`,
      `<text x="${fmt(x(v))}" y="${margin.top + plotH + 18}" text-anchor="middle">${label}</text>`,
      `<text x="${margin.left - 8}" y="${fmt(y(v) + 4)}" text-anchor="end">${label}</text>`,
    );
  }
  lines.push(
    `<rect x="${margin.left}" y="${margin.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#888"/>`,
    `<line x1="${fmt(x(min))}" y1="${fmt(y(min))}" x2="${fmt(x(max))}" y2="${fmt(y(max))}" stroke="#444" stroke-dasharray="6 4"/>`,
    `<text x="${margin.left + plotW / 2}" y="${height - 18}" text-anchor="middle">actual (${esc(options.unit)})</text>`,
    `<text transform="translate(18 ${margin.top + plotH / 2}) rotate(-90)" text-anchor="middle">predicted (${esc(options.unit)})</text>`,
  );
  series.forEach((s, k) => {
    lines.push(`<g fill="${s.color}" fill-opacity="0.55">`);
    s.actual.forEach((a, i) => {
      lines.push(`<circle cx="${fmt(x(a))}" cy="${fmt(y(s.predicted[i] as number))}" r="2.5"/>`);
    });
    lines.push('</g>');
    const ly = margin.top + 16 + k * 18;
    lines.push(
      `<circle cx="${margin.left + 14}" cy="${ly - 4}" r="5" fill="${s.color}"/>`,
      `<text x="${margin.left + 26}" y="${ly}">${esc(s.label)}</text>`,
    );
  });
  lines.push('</svg>');
  return `${lines.join('\n')}\n`;
}
