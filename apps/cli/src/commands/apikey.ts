import { randomBytes } from 'node:crypto';
import {
  API_KEY_NAME,
  API_KEY_PREFIX,
  API_KEYS_MOUNT,
  apiKeyLine,
  hashApiKey,
  parseApiKeyFile,
} from '@modelship/contract';
import { defineCommand } from '../args.ts';
import { usageError } from '../errors.ts';

/** A new key: the prefix and 32 random bytes in base64url (43 characters). */
export function newApiKey(): string {
  return `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/**
 * `modelship apikey create NAME`: a new random key, printed once, and its line for the key
 * file (the name, the key's SHA-256, the limits given), checked as the service will read it.
 */
export const apikeyCommand = defineCommand({
  name: 'apikey',
  summary: "create a client's API key and its line for the key file",
  args: ['create', 'NAME'],
  flags: {
    rate: {
      type: 'string',
      value: 'R',
      help: "the client's requests per second, per replica (0: unlimited; default: the service's API_KEYS_RATE)",
    },
    burst: {
      type: 'string',
      value: 'B',
      help: "requests the client may send at once above its rate (default: the service's API_KEYS_BURST, else one second's worth)",
    },
  },
  description: `Prints a new random key on the first line of stdout and, on the second, the line
that gives it to client NAME in the service's key file (API_KEYS_FILE: one client per line,
NAME SHA256HEX [rate=R] [burst=B]). The key is shown this once and stored nowhere: hand it to
the client; the key file holds only its hash. NAME (1-63 letters, digits, ".", "_", "-")
labels the client's requests in the logs and metrics. The service re-reads the key file within
seconds of a change: add the new line, move the client to the new key, then remove the old
line. A key file without client lines revokes every key (every keyed route answers 401). In the
pod the file is the Secret mounted at ${API_KEYS_MOUNT.file}.`,
  examples: [
    'modelship apikey create mobile-app',
    'modelship apikey create partner-batch --rate 20 --burst 40',
    '{ read -r key; read -r line; } < <(modelship apikey create ci) && echo "$line" >> keys',
  ],
  async run({ positionals: [action, name], values: { rate, burst } }, io) {
    if (action !== 'create') {
      throw usageError(
        `unknown action "${action}": the only one is "create" (modelship apikey create NAME)`,
      );
    }
    if (!API_KEY_NAME.test(name)) {
      throw usageError(
        `NAME "${name}" must be 1-63 letters, digits, ".", "_" or "-", starting with a letter or digit`,
      );
    }
    const options = [`rate=${rate ?? ''}`, `burst=${burst ?? ''}`].filter(
      (_option, i) => [rate, burst][i] !== undefined,
    );
    if (options.some((option) => /\s/.test(option))) {
      throw usageError('--rate and --burst take one number each');
    }
    const key = newApiKey();
    // Checked as the service reads the file (one parser); its messages never hold the hash.
    const checked = parseApiKeyFile([name, hashApiKey(key), ...options].join(' '));
    if (!checked.ok) throw usageError(checked.message.replace(/^(rate|burst)/, '--$1'));
    const [client] = checked.clients;
    if (client === undefined) throw usageError('no client line');
    io.out(key);
    io.out(apiKeyLine(client));
    io.err(
      `Give the key (first line) to "${name}" now: it is not shown again. Add the second line to the key file.`,
    );
    return 0;
  },
});
