/**
 * The clients the termination scenarios (and `termination-drops`) put behind a load balancer:
 * eight keep-alive clients, each on its own loopback address and at a steady pace, as programs
 * calling an API from several places are. nginx limits each address (the gke chart's
 * `externalTrafficPolicy: Local` passes it on), so the pace stays below its per-address rate.
 */
export const CLIENTS = 8;
/** 127.0.0.2 to 127.0.0.9: any 127.0.0.0/8 address is the machine's own on Linux. */
export const CLIENT_ADDRESSES: readonly string[] = Array.from(
  { length: CLIENTS },
  (_, index) => `127.0.0.${index + 2}`,
);
/** Each client's requests a second. */
export const CLIENT_RATE = 25;

/** {@link startLoad}'s options for these clients. */
export const loadBalancerClients = {
  concurrency: CLIENTS,
  sourceAddresses: CLIENT_ADDRESSES,
  requestsPerSecond: CLIENT_RATE,
} as const;
