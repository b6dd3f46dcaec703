import type { FieldIssue, FormDescription, FormField } from '@modelship/feature-schema';
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { type FormExplanation, renderExplanation } from './explanation-chart.ts';

/** The outcome shown under the form. */
export type FormOutcome =
  | { readonly kind: 'prediction'; readonly value: number; readonly explanation?: FormExplanation }
  | {
      readonly kind: 'class';
      readonly label: string | number;
      /** Each class with its probability, in the classes' order. */
      readonly probabilities: readonly { readonly label: string; readonly p: number }[];
      readonly explanation?: FormExplanation;
    }
  | { readonly kind: 'notice'; readonly message: string };

/** What the page shows. */
export interface FormPageOptions {
  readonly form: FormDescription;
  readonly model: { readonly name: string; readonly version: string };
  /** The values to show in the inputs (as typed, or the schema's examples). */
  readonly values: Readonly<Record<string, string>>;
  /** Problems to show next to their fields (paths are field names). */
  readonly issues?: readonly FieldIssue[];
  readonly outcome?: FormOutcome;
  /** URLs of the stylesheet and the script. */
  readonly assets: { readonly css: string; readonly js: string };
}

/** How predictions are shown, on the server and (with the same options) in form.js. */
export const predictionFormat = new Intl.NumberFormat('en-US', {
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});

/** How class probabilities are shown, on the server and (with the same options) in form.js. */
export const probabilityFormat = new Intl.NumberFormat('en-US', {
  style: 'percent',
  minimumFractionDigits: 1,
  maximumFractionDigits: 1,
});

/** The help line of a field: its description, plus its range for numbers. */
function helpText(field: FormField): string {
  if (field.input !== 'number') return field.help;
  const unit = field.unit ? ` ${field.unit}` : '';
  const whole = field.step === 1 ? 'A whole number' : 'A number';
  if (field.min !== undefined && field.max !== undefined) {
    return `${field.help} ${whole} from ${field.min} to ${field.max}${unit}.`;
  }
  if (field.min !== undefined) return `${field.help} ${whole}, at least ${field.min}${unit}.`;
  if (field.max !== undefined) return `${field.help} ${whole}, at most ${field.max}${unit}.`;
  return `${field.help} ${whole}.`;
}

/**
 * The DOM id of a field's control: the field name when it is a plain token (`age`), else `_`
 * and the name's UTF-8 bytes in hex (`mean radius` → `_6d65616e20726164697573`): an id holds no
 * whitespace, and a plain name never starts with `_`, so ids stay unique.
 */
export function controlId(name: string): string {
  if (/^[A-Za-z][A-Za-z0-9_-]*$/.test(name)) return name;
  return `_${Buffer.from(name, 'utf8').toString('hex')}`;
}

function renderField(field: FormField, value: string, error: string | undefined, focus: boolean) {
  const id = controlId(field.name);
  const describedBy = `${id}-help ${id}-error`;
  const invalid = error ? 'true' : undefined;
  const control =
    field.input === 'select'
      ? html`<select id="${id}" name="${field.name}" required aria-describedby="${describedBy}" ${invalid ? html`aria-invalid="true"` : ''} ${focus ? 'autofocus' : ''}>
          ${field.options.some((o) => o.value === value) ? '' : html`<option value="" selected disabled>Choose…</option>`}
          ${field.options.map((o) => html`<option value="${o.value}" ${o.value === value ? 'selected' : ''}>${o.label}</option>`)}
        </select>`
      : html`<input id="${id}" name="${field.name}" type="number" inputmode="${field.step === 1 ? 'numeric' : 'decimal'}" step="${String(field.step)}" ${field.min !== undefined ? html`min="${String(field.min)}"` : ''} ${field.max !== undefined ? html`max="${String(field.max)}"` : ''} value="${value}" required aria-describedby="${describedBy}" ${invalid ? html`aria-invalid="true"` : ''} ${focus ? 'autofocus' : ''} />`;
  const unit =
    field.input === 'number' && field.unit ? html` <span class="unit">(${field.unit})</span>` : '';
  return html`<div class="field${error ? ' invalid' : ''}">
        <label for="${id}">${field.label}${unit}</label>
        <p class="help" id="${id}-help">${helpText(field)}</p>
        ${control}
        <p class="error" id="${id}-error">${error ?? ''}</p>
      </div>`;
}

function renderOutcome(options: FormPageOptions) {
  const { outcome, form, model } = options;
  if (!outcome) return '';
  if (outcome.kind === 'notice') return html`<p class="notice">${outcome.message}</p>`;
  if (outcome.kind === 'class') {
    return html`<p class="prediction">Predicted ${form.target.name}: <strong>${String(outcome.label)}</strong></p>
        <ul class="probabilities" aria-label="Probability of each class">
          ${outcome.probabilities.map((c) => html`<li><span class="class">${c.label}</span><meter min="0" max="1" value="${String(c.p)}"></meter><span class="percent">${probabilityFormat.format(c.p)}</span></li>`)}
        </ul>
        ${outcome.explanation ? renderExplanation(outcome.explanation) : ''}
        <p class="model">Model ${model.name} ${model.version}</p>`;
  }
  const unit = form.target.unit ? ` ${form.target.unit}` : '';
  return html`<p class="prediction">Predicted ${form.target.name}: <strong>${predictionFormat.format(outcome.value)}${unit}</strong></p>
        ${outcome.explanation ? renderExplanation(outcome.explanation) : ''}
        <p class="model">Model ${model.name} ${model.version}</p>`;
}

/**
 * Renders the prediction page: one labelled control per field (numbers with their step, range
 * and unit; selects for categorical fields), help and error text tied to each control with
 * `aria-describedby`, an error summary, and the result in `#result` (a live region).
 * Stable hooks: each control's `name` is its field name and its `id` is {@link controlId} of
 * it (the name itself for a plain name), its message is in `#<id>-error`.
 */
export function renderFormPage(
  options: FormPageOptions,
): HtmlEscapedString | Promise<HtmlEscapedString> {
  const { form, model, values, issues = [], assets } = options;
  const errors = new Map<string, string>();
  for (const issue of issues) if (!errors.has(issue.path)) errors.set(issue.path, issue.message);
  const firstInvalid = form.fields.find((f) => errors.has(f.name))?.name;
  const labels = new Map(form.fields.map((f) => [f.name, f.label]));
  const title = `${issues.length ? 'Error: ' : ''}${form.title}`;
  const summary = issues.length
    ? html`<div id="error-summary" class="error-summary" role="alert">
        <h2>${issues.length === 1 ? '1 value needs' : `${issues.length} values need`} correcting</h2>
        <ul>
          ${issues.map((i) => html`<li><a href="#${controlId(i.path)}">${labels.get(i.path) ?? i.path}: ${i.message}</a></li>`)}
        </ul>
      </div>`
    : html`<div id="error-summary" class="error-summary" role="alert" hidden></div>`;
  const unit = form.target.unit ?? '';
  return html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="color-scheme" content="light dark" />
    <title>${title}</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="${assets.css}" />
    <script src="${assets.js}" defer></script>
  </head>
  <body>
    <main>
      <header>
        <h1>${form.title}</h1>
        ${form.description ? html`<p class="lead">${form.description}</p>` : ''}
      </header>
      ${summary}
      <form id="predict-form" method="post" action="/" novalidate data-endpoint="/predict">
        ${form.fields.map((f) => renderField(f, values[f.name] ?? '', errors.get(f.name), f.name === firstInvalid))}
        <button type="submit">Predict ${form.target.name}</button>
      </form>
      <section id="result" class="result" aria-live="polite" data-target="${form.target.name}" data-unit="${unit}">${renderOutcome(options)}</section>
      <footer>
        <p>Model ${model.name} ${model.version} · <a href="/docs">API documentation</a></p>
      </footer>
    </main>
  </body>
</html>
`;
}
