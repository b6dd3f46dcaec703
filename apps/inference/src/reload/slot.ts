import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { ServedModel } from '../model/served-model.ts';
import type { LiveModel, ModelRef } from './live-model.ts';
import { readCurrent, versionSignature } from './source.ts';

/** What a reload did. */
export type ReloadOutcome =
  /** The named version is served from now on. */
  | {
      readonly outcome: 'switched';
      readonly from: ModelRef;
      readonly to: ModelRef;
      readonly version: string;
    }
  /** `current` names the version already served. */
  | { readonly outcome: 'unchanged'; readonly version: string }
  /** The named version failed a check; the served one stays. */
  | { readonly outcome: 'refused'; readonly version?: string; readonly reason: string }
  /** A plain model directory: nothing to reload. */
  | { readonly outcome: 'not_versioned' };

/**
 * The served model version behind one pointer: a request reads `current` once and uses that
 * version for its validation, prediction and labels. A versioned source reloads on a new
 * `current` (polled) or when asked.
 */
export interface ModelSlot {
  /** The version new requests go to. */
  readonly current: LiveModel;
  /** Reads `current`, and if it names another version: load and check it, then switch. */
  reload(): Promise<ReloadOutcome>;
  /** Polls `current` every `pollMs` (a versioned source with `pollMs` > 0). */
  start(): void;
  /** Stops polling and waits for a reload under way. */
  stop(): Promise<void>;
}

/** Options of {@link createModelSlot}. */
export interface ModelSlotOptions {
  /** The version served at startup. */
  readonly initial: LiveModel;
  /** A versioned source's directory and the startup version's name; absent for a plain directory. */
  readonly versioned?: { readonly root: string; readonly name: string };
  /** Loads and checks a model directory (the service's loader: fingerprint, layout, warm-up). */
  readonly load: (dir: string) => Promise<ServedModel>;
  /** Wraps a loaded model for serving (its batcher, drift monitor, explainer, session count). */
  readonly adopt: (model: ServedModel) => LiveModel;
  /** Called once `current` points at the new version (metrics, drift monitoring). */
  readonly onSwitch: (next: LiveModel, previous: LiveModel) => void;
  readonly logger: Logger;
  readonly metrics: Pick<Metrics, 'modelReloads'>;
  /** Milliseconds between reads of `current`; 0: no polling. */
  readonly pollMs: number;
}

const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * What clients rely on besides the version: the fields, the output and the task. A reload
 * swaps weights, not the API (the OpenAPI document, the form and the clients' code were built
 * against it): a new contract takes a rollout.
 */
function contractOf(model: ServedModel): string {
  const { model: about, ...rest } = model.schema;
  return canonicalJson({ name: about.name, rest, task: model.task });
}

/** JSON with object keys sorted: equal for equal content, whatever order a file wrote it in. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/**
 * Creates the slot. A reload loads the new version beside the served one and runs every load
 * check; only then does `current` change (one assignment: requests in flight finish on the
 * version that took them). The old version releases its session after its last request. A
 * version that fails is refused, logged and counted (`inference_model_reloads_total{outcome=
 * "refused"}`), and remembered with its directory's {@link versionSignature}: neither the poller
 * nor the admin route loads it again until a file of it changes (they answer the refusal).
 */
export function createModelSlot(options: ModelSlotOptions): ModelSlot {
  const { initial, versioned, load, adopt, onSwitch, logger, metrics, pollMs } = options;
  let current = initial;
  let servedName = versioned?.name;
  /** The last refused version, its directory's signature and why; `''` for an unreadable `current`. */
  let refused: { name: string; signature?: string; reason: string } | undefined;
  let running: Promise<ReloadOutcome> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const retiring = new Set<Promise<void>>();

  const refuse = (reason: string, version?: string, signature?: string): ReloadOutcome => {
    metrics.modelReloads.inc({ outcome: 'refused' });
    refused = { name: version ?? '', reason, ...(signature === undefined ? {} : { signature }) };
    logger.error(
      { version, reason, served: current.ref },
      `model version ${version ?? '(unreadable current)'} refused; still serving ${current.ref.version}`,
    );
    return { outcome: 'refused', reason, ...(version === undefined ? {} : { version }) };
  };

  const attempt = async (fromPoll: boolean): Promise<ReloadOutcome> => {
    if (!versioned) return { outcome: 'not_versioned' };
    // Shutting down: the served version is about to be released, nothing new may load.
    if (stopped) return { outcome: 'refused', reason: 'the service is shutting down' };
    let named: { name: string; dir: string };
    try {
      named = await readCurrent(versioned.root);
    } catch (error) {
      if (fromPoll && refused?.name === '') return { outcome: 'refused', reason: reasonOf(error) };
      return refuse(reasonOf(error));
    }
    if (named.name === servedName) {
      refused = undefined;
      return { outcome: 'unchanged', version: named.name };
    }
    const signature = await versionSignature(named.dir);
    if (refused?.name === named.name && refused.signature === signature) {
      const reason = `${refused.reason} (refused before; none of its files has changed since)`;
      return { outcome: 'refused', version: named.name, reason };
    }
    logger.info({ version: named.name, dir: named.dir }, `loading model version ${named.name}`);
    let model: ServedModel;
    try {
      model = await load(named.dir);
    } catch (error) {
      return refuse(reasonOf(error), named.name, signature);
    }
    if (contractOf(model) !== contractOf(current.model)) {
      await model.release().catch(() => {});
      return refuse(
        `${named.dir}: schema.json (fields, output or task) differs from the served version's; a new contract needs a new rollout`,
        named.name,
        signature,
      );
    }
    const next = adopt(model);
    // Its explainer (method chosen, session built) is ready before it serves.
    await next.explainer?.ready;
    const previous = current;
    current = next;
    servedName = named.name;
    refused = undefined;
    onSwitch(next, previous);
    metrics.modelReloads.inc({ outcome: 'switched' });
    logger.info(
      { from: previous.ref, to: next.ref, version: named.name },
      `switched to model version ${named.name}`,
    );
    const retired = previous.retire().catch((error) => {
      logger.error({ error }, 'releasing the previous model version failed');
    });
    retiring.add(retired);
    void retired.finally(() => retiring.delete(retired));
    return { outcome: 'switched', from: previous.ref, to: next.ref, version: named.name };
  };

  // One reload at a time: a second caller waits for the one under way, then tries its own.
  const reload = (fromPoll: boolean): Promise<ReloadOutcome> => {
    const previous = running ?? Promise.resolve(undefined);
    const next = previous.then(() => attempt(fromPoll));
    running = next;
    void next.finally(() => {
      if (running === next) running = undefined;
    });
    return next;
  };

  return {
    get current() {
      return current;
    },
    reload: () => reload(false),
    start() {
      if (!versioned || pollMs <= 0 || timer) return;
      timer = setInterval(() => {
        if (running) return;
        reload(true).catch((error) => logger.error({ error }, 'model reload failed'));
      }, pollMs);
      timer.unref();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      await running?.catch(() => {});
      await Promise.all(retiring);
    },
  };
}
