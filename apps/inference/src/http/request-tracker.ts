/** Counts requests in flight, so that shutdown can report what a hard deadline cut. */
export interface RequestTracker {
  /** Requests received and not yet answered. */
  readonly inFlight: number;
  /** Marks a request as started; call the returned function once it is answered. */
  start(): () => void;
}

/**
 * Creates a request tracker.
 *
 * @example
 * const done = tracker.start();
 * try { await next(); } finally { done(); }
 */
export function createRequestTracker(): RequestTracker {
  let inFlight = 0;
  return {
    get inFlight() {
      return inFlight;
    },
    start() {
      inFlight += 1;
      let done = false;
      return () => {
        if (done) return;
        done = true;
        inFlight -= 1;
      };
    },
  };
}
