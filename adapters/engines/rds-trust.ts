/**
 * The certificates a deployed database's TLS connection is verified against. The Lambda Node.js
 * runtimes (20 and newer) no longer load Amazon's CA certificates at start-up, to start faster;
 * they ship them, RDS CAs included, in `/var/runtime/ca-cert.pem`, which the runtime only reads
 * when NODE_EXTRA_CA_CERTS points at it. So the bundle is read here, once, when the first TLS pool
 * is opened, and added to Node's default roots. Elsewhere (no bundle) Node's default roots apply.
 */
import { existsSync, readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';

/** Where the Lambda Node.js runtime keeps Amazon's CA certificates, RDS ones included. */
export const LAMBDA_CA_BUNDLE = '/var/runtime/ca-cert.pem';

/** The TLS options both drivers accept: always verified. */
export interface TrustOptions {
  readonly rejectUnauthorized: true;
  /** absent: Node's default trust store */
  readonly ca?: readonly string[];
}

let cached: TrustOptions | undefined;

/** TLS options verified against the runtime's RDS CA bundle when there is one (read once). */
export function rdsTrust(bundlePath: string = LAMBDA_CA_BUNDLE): TrustOptions {
  if (bundlePath !== LAMBDA_CA_BUNDLE) return trustFrom(bundlePath);
  cached ??= trustFrom(bundlePath);
  return cached;
}

function trustFrom(bundlePath: string): TrustOptions {
  // already trusted process-wide: passing `ca` would only repeat the work
  if (process.env.NODE_EXTRA_CA_CERTS === bundlePath || !existsSync(bundlePath)) {
    return { rejectUnauthorized: true };
  }
  // an explicit `ca` replaces Node's roots, so they are kept beside the bundle
  return { rejectUnauthorized: true, ca: [...rootCertificates, readFileSync(bundlePath, 'utf8')] };
}
