import { SERVICE_METRICS } from '@modelship/contract';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { type RequestMetrics, registerRequestMetrics } from './http/fast/request-metrics.ts';
import { PARSER_REFUSAL_CODES } from './lifecycle/parser-refusals.ts';

/** Options of {@link createMetrics}. */
export interface MetricsOptions {
  /** Also collect prom-client's default process/Node metrics. @default true */
  readonly defaultMetrics?: boolean;
  /**
   * A classifier's class labels: adds `inference_predicted_class_total{class}`, every class
   * starting at 0. @default none (a regression model)
   */
  readonly classes?: readonly string[];
  /** Requests received and not yet answered, read at each scrape. @default () => 0 */
  readonly inFlight?: () => number;
}

/** The service's Prometheus metrics, registered in their own registry. */
export interface Metrics {
  readonly registry: Registry;
  /** `http_requests_total` and `http_request_duration_seconds`, by `{method,route,status}`. */
  readonly http: RequestMetrics;
  /** `inference_predicted_rows_total`: rows returned to clients. */
  readonly predictedRows: Counter;
  /** `inference_run_duration_seconds`: one onnxruntime `session.run`. */
  readonly inferenceDuration: Histogram;
  /** `inference_batch_rows`: rows per onnxruntime run. */
  readonly batchRows: Histogram;
  /** `inference_queue_rows`: rows waiting for a run. */
  readonly queueRows: Gauge;
  /** `inference_queue_rejections_total`: requests refused because the queue was full. */
  readonly queueRejections: Counter;
  /** `inference_model_info{name,version,fingerprint}`, always 1. */
  readonly modelInfo: Gauge<'name' | 'version' | 'fingerprint'>;
  /** `inference_model_sessions`: onnxruntime sessions held (1, 2 while a reload overlaps). */
  readonly modelSessions: Gauge;
  /** `inference_explainer_sessions`: the explainers' onnxruntime sessions held (one per version with background rows). */
  readonly explainerSessions: Gauge;
  /** `inference_model_reloads_total{outcome}`: reloads `switched` to a new version or `refused`. */
  readonly modelReloads: Counter<'outcome'>;
  /** `inference_explained_rows_total{method}`: records explained, per method. */
  readonly explainedRows: Counter<'method'>;
  /** `inference_explanation_duration_seconds{method}`: one request's explanations. */
  readonly explanationDuration: Histogram<'method'>;
  /** `inference_predicted_class_total{class}`: a classifier's predictions, per class. */
  readonly predictedClasses?: Counter<'class'>;
  /** `http_parser_refusals_total{code}`: requests Node's parser refused, by the answer's code. */
  readonly parserRefusals: Counter<'code'>;
}

/** Powers of two up to 1024 rows, enough for the default MAX_BATCH of 1000. */
const rowBuckets = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

/**
 * Creates the metrics in a fresh registry (never the global one, so that several apps can
 * coexist in one process, e.g. in tests). Names follow Prometheus conventions: base units in
 * the name, `_total` on counters.
 *
 * @see https://prometheus.io/docs/practices/naming/
 * @example
 * const metrics = createMetrics();
 * metrics.predictedRows.inc(3);
 * const text = await metrics.registry.metrics();
 */
export function createMetrics(options: MetricsOptions = {}): Metrics {
  const { defaultMetrics = true, classes, inFlight = () => 0 } = options;
  const registry = new Registry();
  if (defaultMetrics) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  let predictedClasses: Counter<'class'> | undefined;
  if (classes) {
    predictedClasses = new Counter({
      name: 'inference_predicted_class_total',
      help: 'Rows predicted and returned, by predicted class.',
      labelNames: ['class'],
      registers: [registry],
    });
    for (const label of classes) predictedClasses.inc({ class: label }, 0);
  }
  const reloads = new Counter({
    name: 'inference_model_reloads_total',
    help: 'Model reloads of a versioned source: switched to the new version, or refused (a failed check; the served version stays).',
    labelNames: ['outcome'],
    registers,
  });
  for (const outcome of ['switched', 'refused']) reloads.inc({ outcome }, 0);
  const parserRefusals = new Counter({
    name: 'http_parser_refusals_total',
    help: "Requests Node's HTTP parser refused before any route (malformed, headers too large, too slow), by the error code answered.",
    labelNames: ['code'],
    registers,
  });
  for (const code of PARSER_REFUSAL_CODES) parserRefusals.inc({ code }, 0);
  // Read from the request tracker at each scrape instead of two updates per request.
  new Gauge({
    name: SERVICE_METRICS.inFlight,
    help: 'HTTP requests received and not yet answered.',
    registers,
    collect() {
      this.set(inFlight());
    },
  });
  return {
    ...(predictedClasses ? { predictedClasses } : {}),
    registry,
    http: registerRequestMetrics({
      registry,
      countName: SERVICE_METRICS.requests,
      durationName: SERVICE_METRICS.requestDuration,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    }),
    predictedRows: new Counter({
      name: 'inference_predicted_rows_total',
      help: 'Rows (records) predicted and returned.',
      registers,
    }),
    inferenceDuration: new Histogram({
      name: 'inference_run_duration_seconds',
      help: 'Duration of one onnxruntime run, encoding included.',
      buckets: [
        0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05,
      ],
      registers,
    }),
    batchRows: new Histogram({
      name: 'inference_batch_rows',
      help: 'Rows per onnxruntime run (concurrent requests coalesced by the batcher).',
      buckets: rowBuckets,
      registers,
    }),
    queueRows: new Gauge({
      name: 'inference_queue_rows',
      help: 'Rows waiting for an onnxruntime run.',
      registers,
    }),
    queueRejections: new Counter({
      name: 'inference_queue_rejections_total',
      help: 'Requests answered 503 because the batching queue was full.',
      registers,
    }),
    modelInfo: new Gauge({
      name: 'inference_model_info',
      help: 'The served model; the value is always 1.',
      labelNames: ['name', 'version', 'fingerprint'],
      registers,
    }),
    modelSessions: new Gauge({
      name: 'inference_model_sessions',
      help: 'onnxruntime sessions held: 1, or 2 while a reload loads a version beside the served one or the old one finishes its requests.',
      registers,
    }),
    modelReloads: reloads,
    parserRefusals,
    explainerSessions: new Gauge({
      name: 'inference_explainer_sessions',
      help: 'onnxruntime sessions held by explainers: one per loaded version with background rows, built at load and freed when the version is retired.',
      registers,
    }),
    explainedRows: new Counter({
      name: 'inference_explained_rows_total',
      help: 'Records explained (POST /explain), per method.',
      labelNames: ['method'],
      registers,
    }),
    explanationDuration: new Histogram({
      name: 'inference_explanation_duration_seconds',
      help: 'Duration of the explanations of one POST /explain, per method.',
      labelNames: ['method'],
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    }),
  };
}
