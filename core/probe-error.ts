/** Why a probe produced no metric data. Each code is part of the external contract (logs, `--json`). */
export const ERROR_CODES = [
  'TIMEOUT',
  'CONNECTION_FAILED',
  'QUERY_FAILED',
  'INVALID_VALUE',
  'TOO_MANY_ROWS',
  'TOO_MANY_SERIES',
  'PAYLOAD_TOO_LARGE',
  'INVOKE_FAILED',
  'UNKNOWN_PROBE',
  'PUBLISH_FAILED',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * What a run reports beside its probes' outcomes, part of the external contract (logs, `--json`):
 * `WRITE_CAPABLE_USER`, the database user could write or act on the server.
 */
export const WARNING_CODES = ['WRITE_CAPABLE_USER'] as const;

export type WarningCode = (typeof WARNING_CODES)[number];

/** A probe's failure: a code from {@link ERROR_CODES} and a message naming the probe, its database and the cause. */
export class ProbeError extends Error {
  override readonly name = 'ProbeError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
