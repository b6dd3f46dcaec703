import { API_KEY_HEADER } from '@modelship/contract';

/** What a request presents: a key, nothing, or a header that is not a key's form. */
export type Presented =
  | { readonly kind: 'key'; readonly key: string }
  | { readonly kind: 'none' }
  | { readonly kind: 'malformed'; readonly header: 'Authorization' | 'X-API-Key' };

/** `Bearer TOKEN` (RFC 6750's b64token; ours are base64url with a prefix). */
const bearer = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
const bearerScheme = /^Bearer(?: |$)/i;
const apiKeyHeader = API_KEY_HEADER as Lowercase<string>;

/**
 * The key a request presents: `Authorization: Bearer KEY`, else `X-API-Key: KEY` (an
 * `Authorization` of another scheme, e.g. a proxy's `Basic`, leaves `X-API-Key` to speak).
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1
 */
export function presentedKey(header: (name: Lowercase<string>) => string | undefined): Presented {
  const authorization = header('authorization');
  if (authorization !== undefined) {
    const match = bearer.exec(authorization);
    if (match) return { kind: 'key', key: match[1] as string };
    if (bearerScheme.test(authorization)) return { kind: 'malformed', header: 'Authorization' };
  }
  const apiKey = header(apiKeyHeader)?.trim();
  if (apiKey !== undefined) {
    return apiKey === '' || /\s/.test(apiKey)
      ? { kind: 'malformed', header: 'X-API-Key' }
      : { kind: 'key', key: apiKey };
  }
  return authorization === undefined
    ? { kind: 'none' }
    : { kind: 'malformed', header: 'Authorization' };
}
