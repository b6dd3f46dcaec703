import { readFileSync, statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import {
  API_KEYS_MAX_FILE_BYTES,
  type ApiKeyFileResult,
  parseApiKeyFile,
  SERVICE_METRICS,
} from '@modelship/contract';
import { Counter, type Registry } from 'prom-client';
import type { Config } from '../config.ts';
import { ConfigError } from '../config.ts';
import { RateLimitedError, UnauthorizedError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { createKeySet, type KeySet, type RateDefaults } from './key-set.ts';
import { presentedKey } from './presented-key.ts';

/** Thrown at startup for a key file the service cannot use; the message names the line. */
export class ApiKeysFileError extends ConfigError {
  override name = 'ApiKeysFileError';
}

/** The service's API keys: who may call, how often, and what each client did. */
export interface ApiKeys {
  /**
   * The calling client's name, from the request's headers (`header` takes a lowercase name).
   * @throws {UnauthorizedError} no key, a malformed header or an unknown key
   * @throws {RateLimitedError} the client is over its rate
   */
  admit(header: (name: Lowercase<string>) => string | undefined): string;
  /** Counts an answered request of a client (`modelship_client_requests_total`). */
  count(client: string, status: number): void;
  /** The clients' names, in the key file's order. */
  names(): readonly string[];
  /** Reads the file again and swaps the keys if it changed and is good (what each poll does). */
  check(): Promise<void>;
  /** Polls the file every `API_KEYS_POLL_INTERVAL` seconds (none for 0). */
  start(): void;
  stop(): void;
}

/** Options of {@link loadApiKeys}. */
export interface ApiKeysOptions {
  readonly config: Pick<Config, 'API_KEYS_RATE' | 'API_KEYS_BURST' | 'API_KEYS_POLL_INTERVAL'> & {
    readonly API_KEYS_FILE: string;
  };
  readonly logger: Logger;
  readonly registry: Registry;
  /** Milliseconds on a monotonic clock. @default performance.now */
  readonly now?: () => number;
}

const tooLarge = `is larger than ${API_KEYS_MAX_FILE_BYTES} bytes`;

/** What the log says of a key file without clients. */
export const noClients = '0 clients: every keyed route answers 401 until a key is added';

/** The file's text, or why it cannot be used (never its content). */
function readSync(file: string): string {
  let size: number;
  try {
    size = statSync(file).size;
  } catch (error) {
    throw new ApiKeysFileError(`API_KEYS_FILE ${file}: ${(error as NodeJS.ErrnoException).code}`);
  }
  if (size > API_KEYS_MAX_FILE_BYTES)
    throw new ApiKeysFileError(`API_KEYS_FILE ${file} ${tooLarge}`);
  return readFileSync(file, 'utf8');
}

/** One line of a problem with the file, for a log or an error. */
const problemOf = (result: Extract<ApiKeyFileResult, { ok: false }>) =>
  `line ${result.line}: ${result.message}`;

/**
 * Reads the key file (`API_KEYS_FILE`) and checks requests against it. Rotation: the file is
 * read again every `API_KEYS_POLL_INTERVAL` seconds (a mounted Secret changes by a symlink
 * swap, which file watchers miss); a changed, good file replaces the whole key set at once;
 * a bad or unreadable one is logged (without its content), counted, and the keys in use stay.
 * A file without client lines is good: zero clients, every keyed route answers 401, at startup
 * as after a reload (the kubelet swaps a Secret whole, so an empty file is never half a rotation).
 *
 * @throws {ApiKeysFileError} the file is missing, too large or malformed (naming the line)
 */
export function loadApiKeys(options: ApiKeysOptions): ApiKeys {
  const { config, logger, registry, now = () => performance.now() } = options;
  const file = config.API_KEYS_FILE;
  const defaults: RateDefaults = { rate: config.API_KEYS_RATE, burst: config.API_KEYS_BURST };
  let text = readSync(file);
  const first = parseApiKeyFile(text);
  if (!first.ok) throw new ApiKeysFileError(`API_KEYS_FILE ${file} ${problemOf(first)}`);
  let keys: KeySet = createKeySet(first.clients, defaults, now());
  let lastProblem: string | undefined;
  let checking = false;
  let timer: NodeJS.Timeout | undefined;

  // Counts by client and status, kept across rotations (bounded by the names the files held).
  const counts = new Map<string, Map<number, number>>();
  new Counter({
    name: SERVICE_METRICS.clientRequests,
    help: 'Requests that presented a valid API key, by client (a name of the key file) and status code.',
    labelNames: ['client', 'status'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [client, byStatus] of counts) {
        for (const [status, n] of byStatus) this.inc({ client, status: String(status) }, n);
      }
    },
  });

  const reloads = new Counter({
    name: 'modelship_api_key_reloads_total',
    help: 'Changes of the API key file: reloaded (the new keys are in use), or refused (unreadable or malformed; the keys in use stay).',
    labelNames: ['outcome'],
    registers: [registry],
  });
  for (const outcome of ['reloaded', 'refused']) reloads.inc({ outcome }, 0);

  /** Logs and counts a refused file once per problem (a poll every 2 s repeats it). */
  const warn = (problem: string) => {
    if (problem === lastProblem) return;
    lastProblem = problem;
    reloads.inc({ outcome: 'refused' });
    logger.warn(
      { file, clients: keys.clients.length },
      `API_KEYS_FILE ${problem}; keeping the ${keys.clients.length} clients in use`,
    );
  };

  const check = async () => {
    if (checking) return;
    checking = true;
    try {
      let next: string;
      try {
        if ((await stat(file)).size > API_KEYS_MAX_FILE_BYTES) return warn(tooLarge);
        next = await readFile(file, 'utf8');
      } catch (error) {
        return warn(`cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
      }
      if (next === text) return;
      text = next;
      const parsed = parseApiKeyFile(next);
      if (!parsed.ok) {
        // A new bad content is a new refusal, even with the last one's message.
        lastProblem = undefined;
        return warn(problemOf(parsed));
      }
      keys = createKeySet(parsed.clients, defaults, now(), keys);
      lastProblem = undefined;
      reloads.inc({ outcome: 'reloaded' });
      const names = keys.clients.map((c) => c.name);
      if (names.length === 0) {
        logger.warn({ file, clients: names }, `API keys reloaded: ${noClients}`);
      } else {
        logger.info({ file, clients: names }, `API keys reloaded: ${names.length} clients`);
      }
    } finally {
      checking = false;
    }
  };

  return {
    admit(header) {
      const presented = presentedKey(header);
      if (presented.kind === 'none') throw new UnauthorizedError('missing');
      if (presented.kind === 'malformed') {
        throw new UnauthorizedError(
          presented.header === 'Authorization' ? 'malformed_authorization' : 'malformed_x_api_key',
        );
      }
      const client = keys.identify(presented.key);
      if (client === undefined) throw new UnauthorizedError('invalid');
      const wait = client.bucket?.take(now()) ?? 0;
      if (wait > 0) throw new RateLimitedError(client.name, wait);
      return client.name;
    },
    count(client, status) {
      let byStatus = counts.get(client);
      if (byStatus === undefined) {
        byStatus = new Map();
        counts.set(client, byStatus);
      }
      byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    },
    names: () => keys.clients.map((c) => c.name),
    check,
    start() {
      if (timer !== undefined || config.API_KEYS_POLL_INTERVAL === 0) return;
      timer = setInterval(() => void check(), config.API_KEYS_POLL_INTERVAL * 1000);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}
