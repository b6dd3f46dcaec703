import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../deps.ts';
import { RateLimitedError } from '../errors.ts';
import { requestHeader } from '../http/fast/request-header.ts';
import type { ApiKeys } from './api-keys.ts';

/**
 * Refuses a request without a valid API key (401) or over its client's rate (429), before any
 * route work; sets the `client` variable (the log line, the payload log and the per-client
 * counter read it). Registered on several patterns that may overlap, it admits a request once.
 * The fast lane admits its requests with the same `apiKeys.admit`.
 */
export function apiKeyGuard(apiKeys: Pick<ApiKeys, 'admit'>): MiddlewareHandler<AppEnv> {
  return async function apiKeyGuard(c, next) {
    if (c.get('client') === undefined) {
      try {
        c.set(
          'client',
          apiKeys.admit((name) => requestHeader(c, name)),
        );
      } catch (error) {
        if (error instanceof RateLimitedError) c.set('client', error.client);
        throw error;
      }
    }
    await next();
  };
}
