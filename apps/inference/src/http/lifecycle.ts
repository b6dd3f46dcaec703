import { NotReadyError } from '../errors.ts';
import type { Readiness } from '../readiness.ts';

/**
 * Refuses with 503 (+ Retry-After) unless the model is serving: while it warms up and after
 * the drain has finished. During the drain itself requests are still served, so that a
 * rollout drops none.
 */
export function assertServing(readiness: Pick<Readiness, 'serving' | 'state'>): void {
  if (!readiness.serving) throw new NotReadyError(readiness.state);
}
