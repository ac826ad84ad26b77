/** `auth: env`: a password read from an environment variable, for local runs. */
import { ProbeError } from '../../core/probe-error.js';

/** The password in environment variable `name`; `CONNECTION_FAILED` when it is not set. */
export function envPassword(env: Readonly<Record<string, string | undefined>>, name: string): string {
  const value = env[name];
  if (value === undefined) {
    throw new ProbeError('CONNECTION_FAILED', `environment variable ${name} (passwordEnv) is not set`);
  }
  return value;
}
