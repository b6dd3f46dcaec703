import { isIP } from 'node:net';

/** Thrown for an invalid prop or option; the message names the prop and its value. */
export class InvalidPropError extends Error {
  override name = 'InvalidPropError';
}

/** Formats a value the way error messages show it: `'name' (value)`. */
export function show(name: string, value: unknown): string {
  const shown =
    typeof value === 'string' || (typeof value === 'object' && value !== null)
      ? JSON.stringify(value)
      : String(value);
  return `'${name}' (${shown})`;
}

/** Throws an {@link InvalidPropError} saying that `name` (`value`) `rule`. */
export function fail(name: string, value: unknown, rule: string): never {
  throw new InvalidPropError(`${show(name, value)} ${rule}`);
}

/** Asserts that `value` is an integer within `[min, max]`. */
export function assertInt(name: string, value: number, min: number, max = 2 ** 31 - 1): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    fail(name, value, `must be an integer in ${min}..${max}`);
  }
}

/** Asserts that `value` is a TCP port number. */
export function assertPort(name: string, value: number): void {
  assertInt(name, value, 1, 65535);
}

/** Asserts that `value` is an absolute URL path that nginx can take unquoted. */
export function assertUrlPath(name: string, value: string): void {
  if (!/^\/[A-Za-z0-9._~\-/]*$/.test(value)) {
    fail(name, value, 'must be an absolute path of letters, digits and ._~-/');
  }
}

/** Asserts that `value` is an IPv4/IPv6 address or CIDR block. */
export function assertCidr(name: string, value: string): void {
  const [address = '', prefix, ...rest] = value.split('/');
  const family = isIP(address);
  const maxPrefix = family === 6 ? 128 : 32;
  const prefixOk =
    prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= maxPrefix);
  if (family === 0 || !prefixOk || rest.length > 0) {
    fail(name, value, 'must be an IP address or CIDR block');
  }
}

/**
 * Asserts that `value` is a DNS-1123 label (the rule for most Kubernetes object names).
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#dns-label-names
 */
export function assertDnsLabel(name: string, value: string, maxLength = 63): void {
  if (value.length > maxLength || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(value)) {
    fail(
      name,
      value,
      `must be at most ${maxLength} lowercase letters, digits or '-', starting and ending alphanumeric`,
    );
  }
}

/**
 * `defaults` with every key of `options` that is set (not `undefined`) laid over it: the
 * resolved props of a section.
 */
export function withDefaults<D extends object, O extends object>(defaults: D, options: O): D & O {
  const set = Object.entries(options).filter(([, value]) => value !== undefined);
  return { ...defaults, ...Object.fromEntries(set) } as D & O;
}
