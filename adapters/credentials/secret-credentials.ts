/**
 * Database credentials from Secrets Manager, for `auth: secret` databases: read by the public
 * fan-out function (the query functions have no route to Secrets Manager), cached while the
 * instance is warm, and forgotten when a probe of that database failed to authenticate, so the
 * next tick reads the rotated value.
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { namedCauseOf } from '../../core/error-cause.js';
import type { ProbeReport } from '../../core/metric-data.js';
import type { DatabaseCredentials, Logger } from '../../core/ports.js';

/** The secret could not be read or does not hold `{ username, password }`. Never carries the value. */
export class SecretUnusableError extends Error {
  override readonly name = 'SecretUnusableError';
}

export interface SecretCredentials {
  /** the credentials in the secret (JSON with `password` and optional `username`, as RDS-managed secrets hold) */
  credentialsFor(database: string, secretArn: string): Promise<DatabaseCredentials>;
  /** forgets the cached credentials of every database whose probes failed to authenticate */
  refreshAfter(reports: readonly ProbeReport[]): void;
}

/** Reads a secret's string value. */
export interface SecretReader {
  read(secretArn: string): Promise<string | undefined>;
  /** closes the client's connections, if one was created */
  destroy(): void;
}

export interface SecretCredentialsOptions {
  readonly reader: SecretReader;
  readonly logger?: Logger;
}

/**
 * GetSecretValue through `@aws-sdk/client-secrets-manager`, loaded on the first read only: a
 * fan-out function without `auth: secret` databases never loads it (its bundle keeps it in a
 * chunk of its own). The endpoint is overridable, e.g. by `AWS_ENDPOINT_URL_SECRETS_MANAGER`.
 */
export function secretsManagerReader(options: { endpoint?: string; region?: string } = {}): SecretReader {
  let client:
    | Promise<{ sdk: typeof import('@aws-sdk/client-secrets-manager'); client: SecretsManagerClient }>
    | undefined;
  let created: SecretsManagerClient | undefined;
  const connect = () => {
    client ??= import('@aws-sdk/client-secrets-manager').then((sdk) => {
      created = new sdk.SecretsManagerClient({
        ...(options.endpoint ? { endpoint: options.endpoint } : {}),
        ...(options.region ? { region: options.region } : {}),
        maxAttempts: 3,
      });
      return { sdk, client: created };
    });
    return client;
  };
  return {
    async read(secretArn) {
      const { sdk, client: sm } = await connect();
      const output = await sm.send(new sdk.GetSecretValueCommand({ SecretId: secretArn }));
      return output.SecretString;
    },
    destroy: () => created?.destroy(),
  };
}

// what Postgres (28P01, "password authentication failed"), MySQL/MariaDB (1045, "Access denied")
// and IAM/token rejections say when the credentials are wrong
const AUTH_FAILURE = /authenticat|password|access denied|28P01|ER_ACCESS_DENIED|\b1045\b|PAM/i;

export function createSecretCredentials(options: SecretCredentialsOptions): SecretCredentials {
  const { reader, logger } = options;
  // the promise is cached so concurrent invocations of one tick share one read
  const cache = new Map<string, Promise<DatabaseCredentials>>();

  return {
    credentialsFor(database, secretArn) {
      const key = `${database}\u0000${secretArn}`;
      let entry = cache.get(key);
      if (!entry) {
        entry = read(reader, database, secretArn);
        cache.set(key, entry);
        // a failed read is retried by the next call
        entry.catch(() => cache.delete(key));
      }
      return entry;
    },
    refreshAfter(reports) {
      const failed = new Set(
        reports
          .filter((r) => r.error?.code === 'CONNECTION_FAILED' && AUTH_FAILURE.test(r.error.message))
          .map((r) => r.database),
      );
      for (const key of [...cache.keys()]) {
        const database = key.split('\u0000')[0] ?? '';
        if (failed.has(database)) {
          cache.delete(key);
          logger?.log('warn', { event: 'secret-refresh', database });
        }
      }
    },
  };
}

async function read(reader: SecretReader, database: string, secretArn: string): Promise<DatabaseCredentials> {
  let text: string | undefined;
  try {
    text = await reader.read(secretArn);
  } catch (error) {
    throw new SecretUnusableError(
      `reading the secret of database '${database}' failed: ${namedCauseOf(error)}`,
      {
        cause: error,
      },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text ?? '');
  } catch {
    throw new SecretUnusableError(`the secret of database '${database}' is not JSON`);
  }
  const { username, password } = (parsed ?? {}) as { username?: unknown; password?: unknown };
  if (typeof password !== 'string') {
    throw new SecretUnusableError(`the secret of database '${database}' has no string 'password'`);
  }
  return typeof username === 'string' ? { username, password } : { password };
}
