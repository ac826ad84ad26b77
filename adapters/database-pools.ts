/**
 * Opening database pools through the engine registry, with the credentials each `auth` asks
 * for: `iam` (a token signed locally, per new connection), `env` (a variable, local runs), and
 * `secret` (the value an invocation hands over; the latest one is used for new connections). A
 * `dataApi:` database is opened on the engine that serves it through the RDS Data API, which logs
 * in with the secret itself: only its ARN is handed on.
 */
import type { Config } from '../core/model.js';
import type { ConnectionTarget, DatabaseCredentials, DatabaseLogin, DatabasePool } from '../core/ports.js';
import { ProbeError } from '../core/probe-error.js';
import type { DeployedDatabase, QueryFunctionDeps } from '../core/run/query-function.js';
import { envPassword } from './credentials/env-password.js';
import { iamAuthTokenProvider } from './credentials/iam-auth-token.js';
import { deployedEngineName, engineEntry, engineRegistry } from './engines/engine-registry.js';
import { localConnection } from './local-targets.js';

/** Loads the engine (only its driver) and opens a pool; an unknown engine is `CONNECTION_FAILED`. */
export async function openEnginePool(engine: string, target: ConnectionTarget): Promise<DatabasePool> {
  const entry = engineEntry(engine);
  if (!entry) {
    throw new ProbeError(
      'CONNECTION_FAILED',
      `no engine '${engine}' (known: ${Object.keys(engineRegistry).join(', ')})`,
    );
  }
  const loaded = await entry.load();
  return loaded.openPool(target);
}

/** A deployed database reached over a connection to its host. */
export type DeployedServerDatabase = Extract<DeployedDatabase, { readonly host: string }>;

/** What a deployed query function needs to connect. */
export interface DeployedPoolOptions {
  /** an RDS IAM auth token for the database's host, port and user; default: signed locally, reused a while */
  readonly iamToken?: (database: DeployedServerDatabase) => string | Promise<string>;
  /** where `auth: env` reads its variable and the IAM signer its credentials; default `process.env` */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** the clock the default IAM signer dates its tokens by, in epoch milliseconds; default `Date.now` */
  readonly now?: () => number;
}

/**
 * The `openPool` of a deployed function: the configured host, port, TLS and auth, or the Data API
 * cluster and secret.
 */
export function deployedPoolOpener(options: DeployedPoolOptions = {}): QueryFunctionDeps['openPool'] {
  return (database, credentials) =>
    openEnginePool(deployedEngineName(database), deployedTarget(database, credentials, options));
}

/** The target of a deployed database, its login read for each new connection. */
export function deployedTarget(
  database: DeployedDatabase,
  credentials: () => DatabaseCredentials | undefined,
  options: DeployedPoolOptions,
): ConnectionTarget {
  if (database.dataApi !== undefined) {
    return {
      kind: 'data-api',
      resourceArn: database.dataApi.resourceArn,
      secretArn: database.auth.secretArn,
      database: database.database,
      maxConnections: database.maxConnections,
    };
  }
  const { auth } = database;
  const env = options.env ?? process.env;
  // one provider per pool: it signs a token locally and reuses it until shortly before it expires
  const iamToken = options.iamToken ?? iamAuthTokenProvider(database, { env, now: options.now });
  const login = async (): Promise<DatabaseLogin> => {
    switch (auth.type) {
      case 'iam':
        return { user: database.user, password: await iamToken(database) };
      case 'env':
        return { user: database.user, password: envPassword(env, auth.passwordEnv) };
      case 'secret': {
        const given = credentials();
        if (!given) {
          throw new ProbeError('CONNECTION_FAILED', 'no credentials were handed over for it (auth: secret)');
        }
        // a secret may name its own user (RDS-managed secrets do), and a rotation may change it
        return { user: given.username ?? database.user, password: given.password };
      }
    }
  };
  return {
    kind: 'server',
    host: database.host,
    port: database.port,
    database: database.database,
    login,
    tls: database.tls ? 'verify-full' : 'disable',
    maxConnections: database.maxConnections,
  };
}

/** The `openPool` of `chasm run`: each database's `local` block (see `local-targets.ts`). */
export function localPoolOpener(
  config: Config,
  env: Readonly<Record<string, string | undefined>> = process.env,
): QueryFunctionDeps['openPool'] {
  return (database) => {
    const full = config.databases[database.name];
    if (!full)
      throw new ProbeError('CONNECTION_FAILED', `database '${database.name}' is not in the configuration`);
    const { engine, target } = localConnection(full, env);
    return target.kind === 'pglite' ? startEmbedded(engine, target) : openEnginePool(engine, target);
  };
}

/** How long an embedded database may take to start and run its seed. */
const EMBEDDED_STARTUP_MS = 120_000;

// an embedded database starts (and runs its seed) on its first query: do that now, outside
// any probe's deadline, so a probe's time is its query's
async function startEmbedded(engine: string, target: ConnectionTarget): Promise<DatabasePool> {
  const pool = await openEnginePool(engine, target);
  try {
    await pool.query('SELECT 1', { timeoutMs: EMBEDDED_STARTUP_MS, maxRows: 1 });
    return pool;
  } catch (error) {
    await pool.close().catch(() => undefined);
    throw error;
  }
}
