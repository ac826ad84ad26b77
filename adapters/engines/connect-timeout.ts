/**
 * How long one new connection may take (TCP, TLS, authentication) before it counts as
 * `CONNECTION_FAILED`: derived from the query's timeout, so an unreachable host fails within
 * the probe's own budget, but never so short that a healthy handshake cannot finish.
 */
export const CONNECT_TIMEOUT_MS = { min: 1_000, max: 5_000 } as const;

export function connectTimeoutFor(timeoutMs: number): number {
  return Math.min(CONNECT_TIMEOUT_MS.max, Math.max(CONNECT_TIMEOUT_MS.min, Math.ceil(timeoutMs)));
}
