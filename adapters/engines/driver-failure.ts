/**
 * Turns a driver's error into a `ProbeError`. The message is the driver's own (it names the
 * cause: refused, unknown host, authentication, SQL error) and never carries a password: the
 * drivers do not put one in their messages, and connection URLs are never quoted.
 */
import { type ErrorCode, ProbeError } from '../../core/probe-error.js';

/** A driver error's fields that matter for classification, whichever driver raised it. */
export interface DriverErrorFields {
  /** SQLSTATE (pg) or a Node.js / driver code such as `ECONNREFUSED`, `ER_ACCESS_DENIED_ERROR` */
  readonly code?: string;
  /** MySQL/MariaDB error number */
  readonly errno?: number;
  readonly message: string;
}

export function driverErrorFields(error: unknown): DriverErrorFields {
  if (error instanceof Error) {
    const { code, errno } = error as Error & { code?: unknown; errno?: unknown };
    return {
      ...(typeof code === 'string' ? { code } : {}),
      ...(typeof errno === 'number' ? { errno } : {}),
      message: error.message || error.name,
    };
  }
  return { message: String(error) };
}

/** Node.js socket and TLS failures: the database could not be reached or trusted. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

export function isNetworkFailure(fields: DriverErrorFields): boolean {
  return fields.code !== undefined && NETWORK_CODES.has(fields.code);
}

export function driverFailure(code: ErrorCode, error: unknown): ProbeError {
  if (error instanceof ProbeError) return error;
  return new ProbeError(code, driverErrorFields(error).message, { cause: error });
}
