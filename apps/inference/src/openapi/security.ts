import { API_KEY_HEADER, type ApiKeysOpenable, OPERATIONAL_ROUTES } from '@modelship/contract';
import { KEYED_PAGES, matchesPattern } from '../auth/keyed-paths.ts';
import { type ErrorBody, RateLimitedError, UnauthorizedError } from '../errors.ts';
import { json, ref, responseRef, retryAfter } from './helpers.ts';

/** Paths that never need a key: the probes and the operational listener's routes. */
const neverKeyed = new Set<string>([
  ...Object.values(OPERATIONAL_ROUTES),
  '/v2/health/live',
  '/v2/health/ready',
]);

/** The keys of a Path Item that are operations (the others: `parameters`, `summary`...). */
const methods = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/** `/v2/models/{name}/infer` as Hono writes it: `/v2/models/:name/infer`. */
const honoPath = (path: string) => path.replace(/\{([^}]+)\}/g, ':$1');

type Operation = { security?: unknown; responses?: Record<string, unknown> };
type Document = Record<string, unknown> & {
  paths: Record<string, Record<string, Operation>>;
  components: Record<string, unknown> & { responses: Record<string, unknown> };
};

/**
 * With API keys on: the two ways to send a key (security schemes), and on every operation that
 * needs one (the prediction routes, and the pages not in `API_KEYS_OPEN`) the alternative of
 * both schemes and the 401 and 429 answers (in the service's error body on every route).
 *
 * @see https://spec.openapis.org/oas/v3.1.0#security-scheme-object
 */
export function withApiKeys<D extends Record<string, unknown>>(
  document: D,
  open: readonly ApiKeysOpenable[],
): D {
  const doc = structuredClone(document) as unknown as Document;
  const openPages = open.flatMap((group) => KEYED_PAGES[group]);
  const body = (error: { toBody(): ErrorBody }) => error.toBody();
  doc.components.securitySchemes = {
    bearer: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer KEY' },
    apiKey: { type: 'apiKey', in: 'header', name: API_KEY_HEADER },
  };
  doc.components.responses.Unauthorized = {
    description: 'No valid API key: none, an unknown one, or a malformed header.',
    headers: {
      'WWW-Authenticate': { description: 'The scheme to use.', schema: { type: 'string' } },
    },
    content: json(ref('Error'), {
      missing: { summary: 'No key', value: body(new UnauthorizedError('missing')) },
      invalid: { summary: 'An unknown key', value: body(new UnauthorizedError('invalid')) },
    }),
  };
  doc.components.responses.RateLimited = {
    description: "Over the client's request rate (per replica); retry after the given seconds.",
    headers: retryAfter,
    content: json(ref('Error'), {
      rateLimited: { summary: 'Over the rate', value: body(new RateLimitedError('mobile-app', 2)) },
    }),
  };
  for (const [path, item] of Object.entries(doc.paths)) {
    if (neverKeyed.has(path) || matchesPattern(openPages, honoPath(path))) continue;
    for (const [method, operation] of Object.entries(item)) {
      if (!methods.has(method)) continue;
      operation.security = [{ bearer: [] }, { apiKey: [] }];
      operation.responses = {
        ...operation.responses,
        '401': responseRef('Unauthorized'),
        '429': responseRef('RateLimited'),
      };
    }
  }
  return doc as unknown as D;
}
