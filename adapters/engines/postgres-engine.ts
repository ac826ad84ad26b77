/**
 * PostgreSQL through kysely and `pg`: one `pg.Pool` per database, at most `maxConnections`
 * connections, each probe in `BEGIN READ ONLY` with `SET LOCAL statement_timeout`, then ROLLBACK,
 * all four statements in one round trip (see pg-read-only-probe.ts).
 *
 * Values stay as `pg` returns them: int8 and numeric as strings (no silent precision loss),
 * int2/int4/float4/float8 as numbers, booleans as booleans; the core maps them.
 */
import {
  CompiledQuery,
  type DatabaseConnection,
  PostgresDialect,
  type PostgresPool,
  type PostgresPoolClient,
} from 'kysely';
import pg from 'pg';
import type { ConnectionTarget, DatabaseEngine, DatabasePool, QueryOptions, Row } from '../../core/ports.js';
import { ProbeError } from '../../core/probe-error.js';
import { connectTimeoutFor } from './connect-timeout.js';
import { type Lease, runWithLease } from './connection-lease.js';
import { driverErrorFields, driverFailure, isNetworkFailure } from './driver-failure.js';
import { ReadOnlyProbe } from './pg-read-only-probe.js';
import { rdsTrust } from './rds-trust.js';

/** marks this module's own control statements, sent with the simple protocol */
const SIMPLE_PROTOCOL = Symbol('simple protocol');
/** marks a probe, followed by its statement timeout and row limit: sent as a {@link ReadOnlyProbe} */
const READ_ONLY_PROBE = Symbol('read-only probe');
/** asks the pool adapter which raw client a kysely connection wraps; sends nothing */
const IDENTIFY = Symbol('identify');

const APPLICATION_NAME = 'chasm';

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
  // read by each new connection: the latest query's derived connect timeout
  const connectTimeout = { ms: connectTimeoutFor(10_000) };
  class TimedClient extends pg.Client {
    constructor(config?: pg.ClientConfig) {
      super({ ...config, connectionTimeoutMillis: connectTimeout.ms });
    }
  }
  // no pool-level connectionTimeoutMillis: pg-pool would also apply it to waiting for a free slot
  const pool = new pg.Pool({ ...clientConfig(target), max: target.maxConnections, Client: TimedClient });
  // an idle connection closed by the server: the pool drops it; the next query opens another
  pool.on('error', () => undefined);
  // kysely's driver, used directly: each query holds its own connection, no lease to look up
  const clients = new WeakMap<DatabaseConnection, pg.PoolClient>();
  const driver = new PostgresDialect({
    pool: kyselyPool(pool),
    // once per physical connection: learn which raw client it wraps, to destroy it on abort
    onCreateConnection: async (connection) => {
      const { rows } = await connection.executeQuery<pg.PoolClient>(CompiledQuery.raw('', [IDENTIFY]));
      if (rows[0]) clients.set(connection, rows[0]);
    },
  }).createDriver();
  const ready = driver.init();

  const release = (held: Session): void => {
    void driver.releaseConnection(held.connection);
  };
  const rollbackAndRelease = async (held: Session): Promise<void> => {
    try {
      await held.connection.executeQuery(CompiledQuery.raw('ROLLBACK', [SIMPLE_PROTOCOL]));
    } catch {
      // never hand a connection back in an unknown transaction state
      destroy(held);
    }
    release(held);
  };
  let closed = false;

  const checkOut = async (lease: Lease<Session>): Promise<Session> => {
    await ready;
    const connection = await driver.acquireConnection();
    const client = clients.get(connection);
    if (lease.abandoned || !client) {
      // checked out after the caller left: never used, back to the pool idle
      void driver.releaseConnection(connection);
      throw lease.abandoned
        ? new ProbeError('TIMEOUT', 'the client-side deadline passed while connecting')
        : new Error('a connection the engine cannot identify');
    }
    return { connection, client };
  };

  const run = async (
    sql: string,
    statementTimeoutMs: number,
    maxRows: number,
    lease: Lease<Session>,
    progress: { connected: boolean },
  ): Promise<readonly Row[]> => {
    const held = await checkOut(lease);
    lease.connection = held;
    progress.connected = true;
    let rows: readonly Row[];
    try {
      // BEGIN READ ONLY, SET LOCAL, the probe and ROLLBACK in one round trip (pg-read-only-probe.ts);
      // one row beyond maxRows tells the core the result was cut
      ({ rows } = await held.connection.executeQuery<Row>(
        CompiledQuery.raw(sql, [READ_ONLY_PROBE, statementTimeoutMs, maxRows + 1]),
      ));
    } catch (error) {
      // destroyed by the abort: it goes back to the pool only to be dropped
      if (lease.abandoned) release(held);
      else await rollbackAndRelease(held);
      throw error;
    }
    // no longer this query's: a late abort must not destroy it under the next probe
    if (!lease.abandoned) lease.connection = undefined;
    // idle again: the ROLLBACK was part of the probe's message
    release(held);
    return rows;
  };

  return {
    async query(sql: string, { timeoutMs, maxRows, signal }: QueryOptions): Promise<readonly Row[]> {
      if (closed) throw new ProbeError('QUERY_FAILED', 'the connection pool is closed');
      // before taking a parked connection that the abort would then destroy
      if (signal?.aborted)
        throw new ProbeError('TIMEOUT', 'the client-side deadline passed before the query started');
      connectTimeout.ms = connectTimeoutFor(timeoutMs);
      const progress = { connected: false };
      try {
        return await runWithLease<Session, readonly Row[]>(signal, destroy, (lease) =>
          run(sql, timeoutMs, maxRows, lease, progress),
        );
      } catch (error) {
        throw classify(error, progress.connected);
      }
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await driver.destroy();
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

/** A connection as one query holds it: kysely's handle and the raw client beneath it. */
interface Session {
  readonly connection: DatabaseConnection;
  readonly client: pg.PoolClient;
}

/**
 * On abort the connection is destroyed rather than the query cancelled with `pg_cancel_backend`:
 * cancelling needs another session (beyond `maxConnections`, and impossible when the server is
 * unreachable), whereas destroying frees the slot at once. What runs on in the server is bounded
 * by the statement timeout every probe sets. (`end()` destroys the socket of a busy client.)
 */
function destroy(held: Session): void {
  held.client.end().catch(() => undefined);
}

/** The pool kysely's driver sees: one stable wrapper per raw client, which it can name. */
function kyselyPool(pool: pg.Pool): PostgresPool {
  const wrappers = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const wrap = (client: pg.PoolClient): PostgresPoolClient => {
    // a checked-out client has no pool listener: a server that drops it between two messages
    // would otherwise crash the process; the next query fails instead and the pool drops it
    client.on('error', () => undefined);
    return {
      query: (text: string, values: readonly unknown[]) => {
        if (values[0] === IDENTIFY) return Promise.resolve({ rows: [client] });
        if (values[0] === SIMPLE_PROTOCOL) return client.query(text);
        if (values[0] === READ_ONLY_PROBE) {
          const probe = client.query(new ReadOnlyProbe(text, values[1] as number, values[2] as number));
          return probe.result.then((rows) => ({ rows }));
        }
        return client.query({ text, values: [...values], queryMode: 'extended' } as pg.QueryConfig);
      },
      // pg-pool sets `release` on each checkout; a destroyed client is dropped, not pooled
      release: () => client.release(),
    } as unknown as PostgresPoolClient;
  };
  return {
    async connect(): Promise<PostgresPoolClient> {
      const client = await pool.connect();
      let wrapper = wrappers.get(client);
      if (!wrapper) {
        wrapper = wrap(client);
        wrappers.set(client, wrapper);
      }
      return wrapper;
    },
    end: () => pool.end(),
  };
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
