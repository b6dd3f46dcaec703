// Test helpers: the app's dependencies around a fake model (the insurance schema, a runner the
// test controls) and a logger whose lines the test can read.
import { Writable } from 'node:stream';
import { compileSchema, type FeatureRecord, type Profile } from '@modelship/feature-schema';
import { insuranceSchema } from '@modelship/insurance-model';
import { createApp } from '../app.ts';
import { type Config, loadConfig } from '../config.ts';
import { createLogger, type Logger } from '../logger.ts';
import type { ServedModel } from '../model/served-model.ts';
import { createDeps } from '../service.ts';

/** A logger that keeps every line, parsed. */
export function memoryLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line));
      callback();
    },
  });
  return { logger: createLogger({ level: 'debug', destination }), lines };
}

/** A service's config on free loopback ports (PORT and OPS_PORT 0), with `env` on top. */
export function loopbackConfig(env: Record<string, string>): Config {
  return loadConfig({ PORT: '0', HOST: '127.0.0.1', OPS_PORT: '0', ...env });
}

/** A deterministic stand-in for the insurance model: age × 100 + bmi, +10000 for smokers. */
export function fakeInsurancePrediction(r: FeatureRecord): number {
  return Number(r.age) * 100 + Number(r.bmi) + (r.smoker === 'yes' ? 10_000 : 0);
}

/** A ServedModel over the insurance schema whose run is `run` (default: the fake formula). */
export function fakeModel(
  run: (records: readonly FeatureRecord[]) => Promise<number[]> = async (records) =>
    records.map(fakeInsurancePrediction),
  profile?: Profile,
): ServedModel {
  const compiled = compileSchema(insuranceSchema);
  return {
    dir: '/nonexistent',
    schema: insuranceSchema,
    compiled,
    identity: { name: 'insurance-charges', version: '1.0.0', fingerprint: compiled.fingerprint },
    metadata: {},
    task: { kind: 'regression' },
    ...(profile ? { profile } : {}),
    inputs: [],
    outputs: [],
    run,
    release: async () => {},
  };
}

/** Options of {@link fakeDeps}. */
export interface FakeDepsOptions {
  readonly env?: Record<string, string>;
  readonly run?: (records: readonly FeatureRecord[]) => Promise<number[]>;
  /** Mark the service ready. @default true */
  readonly ready?: boolean;
  /** A training profile: drift monitoring on. @default none */
  readonly profile?: Profile;
  /** The payload log's sampling source. @default Math.random */
  readonly random?: () => number;
}

/** App dependencies around {@link fakeModel}, ready by default, logging to memory. */
export function fakeDeps(options: FakeDepsOptions = {}) {
  const { env = {}, run, ready = true, profile, random } = options;
  const config: Config = loadConfig(env);
  const { logger, lines } = memoryLogger();
  const deps = createDeps({
    config,
    logger,
    model: fakeModel(run, profile),
    defaultMetrics: false,
    ...(random ? { random } : {}),
  });
  if (ready) deps.readiness.markReady();
  return { deps, lines };
}

const regions = ['northeast', 'northwest', 'southeast', 'southwest'] as const;

/** The app serving `model`, ready, configured by `env`, logging to memory. */
export function serveModel(model: ServedModel, env: Record<string, string> = {}) {
  const deps = createDeps({
    config: loadConfig(env),
    logger: memoryLogger().logger,
    model,
    defaultMetrics: false,
  });
  deps.readiness.markReady();
  return createApp(deps);
}

/** A distinct valid insurance record per index (every level and a spread of numbers). */
export function distinctRecord(i: number): FeatureRecord {
  return {
    age: 18 + (i % 83),
    sex: i % 2 ? 'male' : 'female',
    bmi: 15 + ((i * 7) % 500) / 10,
    children: i % 6,
    smoker: i % 5 ? 'no' : 'yes',
    region: regions[i % 4] as string,
  };
}

/** A valid insurance record. */
export const validRecord = {
  age: 40,
  sex: 'female',
  bmi: 28.5,
  children: 1,
  smoker: 'no',
  region: 'southeast',
} as const;

/** A JSON POST request init. */
export function postJson(body: unknown, headers: Record<string, string> = {}): RequestInit {
  return {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  };
}
