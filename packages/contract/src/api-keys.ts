import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * API keys: what the `modelship apikey` command writes, the service reads and the pod mounts.
 * A key file holds one client per line, `NAME SHA256HEX [rate=R] [burst=B]`; `#` starts a
 * comment; blank lines are ignored. The service never sees a key itself, only its hash. A file
 * without a client line is valid: no client is allowed (every keyed route answers 401).
 */

/** Every key starts with it, so a leaked key is recognisable (secret scanners, logs). */
export const API_KEY_PREFIX = 'ms_';

/** A client's name: it becomes a metric label and a log field, so it is short and plain. */
export const API_KEY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** Most clients in one key file (each is a label value of the per-client counter). */
export const API_KEYS_MAX_CLIENTS = 1000;

/** Largest key file the service reads, in bytes. */
export const API_KEYS_MAX_FILE_BYTES = 1_048_576;

/** The header that carries a key besides `Authorization: Bearer KEY`. */
export const API_KEY_HEADER = 'x-api-key';

/** The `WWW-Authenticate` value of every 401 the service answers. */
export const API_KEY_CHALLENGE = 'Bearer realm="modelship"';

/**
 * Where the pod mounts the Secret of hashed keys: the Secret's data key `keys` becomes the
 * file `API_KEYS_MOUNT.file`, which the inference container's `API_KEYS_FILE` names.
 */
export const API_KEYS_MOUNT = {
  directory: '/etc/modelship/api-keys',
  /** The Secret's data key, also the file's name in the directory. */
  key: 'keys',
  file: '/etc/modelship/api-keys/keys',
} as const;

/**
 * Routes a key can be waived for (`API_KEYS_OPEN`); the prediction routes never are.
 * `form`: the web form (`/`, its assets and its server-side prediction);
 * `docs`: `/docs`, `/openapi.json` and the Open Inference Protocol's metadata routes.
 */
export const API_KEYS_OPENABLE = ['form', 'docs'] as const;
/** One of {@link API_KEYS_OPENABLE}. */
export type ApiKeysOpenable = (typeof API_KEYS_OPENABLE)[number];

/** The hex SHA-256 of a key, as the key file stores it. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A client's request rate (per second, 0: unlimited) and burst, as written in a key file. */
const rateSchema = z.coerce
  .number({ error: 'rate must be a number of requests per second' })
  .min(0, 'rate must be >= 0')
  .max(1_000_000, 'rate must be <= 1000000');
const burstSchema = z.coerce
  .number({ error: 'burst must be a whole number of requests' })
  .int('burst must be a whole number of requests')
  .min(1, 'burst must be >= 1')
  .max(1_000_000, 'burst must be <= 1000000');

/** One line of a key file, split into its fields. */
const clientLineSchema = z.strictObject(
  {
    name: z
      .string()
      .regex(
        API_KEY_NAME,
        'the name must be 1-63 letters, digits, ".", "_" or "-", starting with a letter or digit',
      ),
    // The message never echoes the value: a mistyped hash may be a pasted key.
    sha256: z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/, 'the second field must be a SHA-256 in hex (64 characters)')
      .transform((hex) => hex.toLowerCase()),
    rate: rateSchema.optional(),
    burst: burstSchema.optional(),
  },
  { error: (issue) => (issue.code === 'unrecognized_keys' ? 'unknown option' : undefined) },
);

/** A client of the key file: its name, its key's hash and its own limits if any. */
export type ApiKeyClient = z.infer<typeof clientLineSchema>;

/** The outcome of {@link parseApiKeyFile}. */
export type ApiKeyFileResult =
  | { readonly ok: true; readonly clients: readonly ApiKeyClient[] }
  | { readonly ok: false; readonly line: number; readonly message: string };

/**
 * Splits `rate=20 burst=40` into options, or says what is wrong (naming the field by its
 * position, never by its text: a misplaced field may be a hash or a key).
 */
function options(tokens: readonly string[]): Record<string, string> | string {
  const out: Record<string, string> = {};
  for (const [i, token] of tokens.entries()) {
    const eq = token.indexOf('=');
    const key = token.slice(0, eq);
    if (eq <= 0 || key === 'name' || key === 'sha256') {
      return `field ${i + 3} is not an option: expected NAME SHA256HEX [rate=R] [burst=B]`;
    }
    if (key in out) return `${key} is given twice`;
    out[key] = token.slice(eq + 1);
  }
  return out;
}

/**
 * Parses a key file. A problem is reported with its 1-based line number and never with the
 * line's hash. Names and hashes must be unique. No client line (an empty file, or comments
 * only) is zero clients, not an error: that is how every key is revoked at once.
 */
export function parseApiKeyFile(text: string): ApiKeyFileResult {
  const clients: ApiKeyClient[] = [];
  const names = new Set<string>();
  const hashes = new Set<string>();
  const lines = text.split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
    const line = index + 1;
    const content = raw.replace(/#.*$/, '').trim();
    if (content === '') continue;
    const [name = '', sha256 = '', ...rest] = content.split(/\s+/);
    const opts = options(rest);
    if (typeof opts === 'string') return { ok: false, line, message: opts };
    const parsed = clientLineSchema.safeParse({ name, sha256, ...opts });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.code === 'unrecognized_keys' ? ` (${issue.keys.join(', ')})` : '';
      return { ok: false, line, message: `${issue?.message ?? 'invalid'}${where}` };
    }
    const client = parsed.data;
    if (names.has(client.name)) {
      return { ok: false, line, message: `client "${client.name}" is listed twice` };
    }
    if (hashes.has(client.sha256)) {
      return { ok: false, line, message: 'this hash is already another client' };
    }
    if (clients.length === API_KEYS_MAX_CLIENTS) {
      return { ok: false, line, message: `more than ${API_KEYS_MAX_CLIENTS} clients` };
    }
    names.add(client.name);
    hashes.add(client.sha256);
    clients.push(client);
  }
  return { ok: true, clients };
}

/** The key file's line for a client (what `modelship apikey create` prints). */
export function apiKeyLine(client: ApiKeyClient): string {
  const opts = [
    client.rate === undefined ? '' : ` rate=${client.rate}`,
    client.burst === undefined ? '' : ` burst=${client.burst}`,
  ].join('');
  return `${client.name} ${client.sha256}${opts}`;
}
