/**
 * PostgreSQL through `pg`: one `pg.Pool` per database, at most `maxConnections` connections, each
 * probe in `BEGIN READ ONLY` with a transaction-local `statement_timeout`, then ROLLBACK, all in one
 * round trip (see pg-read-only-probe.ts).
 *
 * `pg` directly rather than through kysely: a probe is raw SQL, so kysely's driver would only wrap
 * the pool, while the engine needs the raw client for the one-round-trip probe and to destroy it
 * at the deadline; kysely's per-query objects cost more than the rest of the engine together.
 *
 * Values stay as `pg` returns them: int8 and numeric as strings (no silent precision loss),
 * int2/int4/float4/float8 as numbers, booleans as booleans; the core maps them.
 */
import pg from 'pg';
import type { ConnectionTarget, DatabaseEngine, DatabasePool, QueryOptions, Row } from '../../core/ports.js';
import { ProbeError } from '../../core/probe-error.js';
import { connectTimeoutFor } from './connect-timeout.js';
import { type Lease, runWithLease } from './connection-lease.js';
import { driverErrorFields, driverFailure, isNetworkFailure } from './driver-failure.js';
import {
  coarseTimeoutMs,
  type ProbeSession,
  RESET_AFTER_FAILURE,
  ReadOnlyProbe,
} from './pg-read-only-probe.js';
import { rdsTrust } from './rds-trust.js';

const APPLICATION_NAME = 'chasm';

/** What the next connection a pool opens starts with: set from the latest query's timeout. */
interface NextConnection {
  connectTimeoutMs: number;
  statementTimeoutMs: number;
}

/**
 * A client that reads, when it is created, the connect timeout and the statement timeout its
 * session starts with (a startup parameter: no statement needed) from the holder its pool passes
 * in its settings. One class for every pool: a class per pool would make `pg`'s hot paths see as
 * many object shapes as there are pools, and slow down.
 */
class ProbeClient extends pg.Client {
  /** the statement timeout its session started with, in ms */
  readonly statementTimeoutMs: number;

  constructor(config?: pg.ClientConfig & { readonly next?: NextConnection }) {
    const statementTimeoutMs = config?.next?.statementTimeoutMs ?? 0;
    super({
      ...config,
      connectionTimeoutMillis: config?.next?.connectTimeoutMs ?? 0,
      ...(statementTimeoutMs > 0 ? { statement_timeout: statementTimeoutMs } : {}),
    });
    this.statementTimeoutMs = statementTimeoutMs;
  }
}

export const postgresEngine: DatabaseEngine = {
  name: 'postgres',
  openPool: (target) => openPostgresPool(target),
};

export default postgresEngine;

export function openPostgresPool(target: ConnectionTarget): DatabasePool {
  if (target.kind === 'pglite') {
    throw new ProbeError(
      'CONNECTION_FAILED',
      'the postgres engine connects to servers; use the pglite engine',
    );
  }
  const next: NextConnection = {
    connectTimeoutMs: connectTimeoutFor(10_000),
    statementTimeoutMs: coarseTimeoutMs(10_000),
  };
  // no pool-level connectionTimeoutMillis: pg-pool would also apply it to waiting for a free slot
  const settings: pg.PoolConfig & { next: NextConnection } = {
    ...clientConfig(target),
    max: target.maxConnections,
    Client: ProbeClient,
    next,
  };
  const pool = new pg.Pool(settings);
  // an idle connection closed by the server: the pool drops it; the next query opens another
  pool.on('error', () => undefined);
  // a checked-out client has no pool listener: a server that drops it between two messages would
  // otherwise crash the process; the next query fails instead and the pool drops it
  pool.on('connect', (client) => client.on('error', () => undefined));
  let closed = false;
  const sessions = new WeakMap<pg.PoolClient, ProbeSession>();
  const sessionOf = (client: pg.PoolClient): ProbeSession => {
    let session = sessions.get(client);
    if (!session) {
      session = {
        prepared: false,
        timeouts: new Set(),
        statementTimeoutMs: client instanceof ProbeClient ? client.statementTimeoutMs : 0,
      };
      sessions.set(client, session);
    }
    return session;
  };

  const resetAndRelease = async (client: pg.PoolClient): Promise<void> => {
    const session = sessionOf(client);
    session.prepared = false;
    session.timeouts.clear();
    try {
      await client.query(RESET_AFTER_FAILURE);
    } catch {
      // never hand a connection back in an unknown transaction state
      destroy(client);
    }
    client.release();
  };

  const run = async (
    sql: string,
    statementTimeoutMs: number,
    maxRows: number,
    lease: Lease<pg.PoolClient>,
    progress: { connected: boolean },
  ): Promise<readonly Row[]> => {
    const client = await pool.connect();
    if (lease.abandoned) {
      // checked out after the caller left: never used, back to the pool idle
      client.release();
      throw new ProbeError('TIMEOUT', 'the client-side deadline passed while connecting');
    }
    lease.connection = client;
    progress.connected = true;
    let rows: readonly Row[];
    try {
      // one row beyond maxRows tells the core the result was cut
      rows = await client.query(new ReadOnlyProbe(sql, statementTimeoutMs, maxRows + 1, sessionOf(client)))
        .result;
    } catch (error) {
      // destroyed by the deadline: it goes back to the pool only to be dropped
      if (lease.abandoned) client.release();
      else await resetAndRelease(client);
      throw error;
    }
    // no longer this query's: a late deadline must not destroy it under the next probe
    if (!lease.abandoned) lease.connection = undefined;
    // idle again: the ROLLBACK was part of the probe's message
    client.release();
    return rows;
  };

  return {
    async query(sql: string, { timeoutMs, maxRows, deadline }: QueryOptions): Promise<readonly Row[]> {
      if (closed) throw new ProbeError('QUERY_FAILED', 'the connection pool is closed');
      next.connectTimeoutMs = connectTimeoutFor(timeoutMs);
      next.statementTimeoutMs = coarseTimeoutMs(timeoutMs);
      const progress = { connected: false };
      try {
        return await runWithLease<pg.PoolClient, readonly Row[]>(deadline, destroy, (lease) =>
          run(sql, timeoutMs, maxRows, lease, progress),
        );
      } catch (error) {
        throw classify(error, progress.connected);
      }
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}

function clientConfig(target: Exclude<ConnectionTarget, { kind: 'pglite' }>): pg.PoolConfig {
  const common = { application_name: APPLICATION_NAME, keepAlive: true };
  if (target.kind === 'url') return { ...common, connectionString: target.url };
  return {
    ...common,
    host: target.host,
    port: target.port,
    database: target.database,
    user: target.user,
    // pg calls it for each new connection: an IAM token or a handed-over secret stays current
    password: target.password,
    ssl: target.tls ? tlsOptions() : false,
  };
}

function tlsOptions(): pg.ConnectionConfig['ssl'] {
  const { ca } = rdsTrust();
  // pg verifies the server's name against `host` (servername) by default
  return { rejectUnauthorized: true, ...(ca ? { ca: [...ca] } : {}) };
}

/**
 * At the deadline the connection is destroyed rather than the query cancelled with
 * `pg_cancel_backend`: cancelling needs another session (beyond `maxConnections`, and impossible
 * when the server is unreachable), whereas destroying frees the slot at once. What runs on in the
 * server is bounded by the statement timeout every probe sets. (`end()` destroys the socket of a
 * busy client.)
 */
function destroy(client: pg.PoolClient): void {
  client.end().catch(() => undefined);
}

/** SQLSTATE classes and codes that mean the session itself failed */
function isSessionFailure(code: string): boolean {
  return code.startsWith('08') || code.startsWith('28') || code.startsWith('57P') || code === '3D000';
}

function classify(error: unknown, connected: boolean): ProbeError {
  if (error instanceof ProbeError) return error;
  const fields = driverErrorFields(error);
  if (!connected) return driverFailure('CONNECTION_FAILED', error);
  if (fields.code === '57014') return driverFailure('TIMEOUT', error);
  if (isNetworkFailure(fields) || (fields.code !== undefined && isSessionFailure(fields.code))) {
    return driverFailure('CONNECTION_FAILED', error);
  }
  if (/connection terminated|not queryable/i.test(fields.message))
    return driverFailure('CONNECTION_FAILED', error);
  return driverFailure('QUERY_FAILED', error);
}
