/**
 * PostgreSQL through kysely and `pg`: one `pg.Pool` per database, at most `maxConnections`
 * connections, each probe in `BEGIN READ ONLY` with `SET LOCAL statement_timeout`, then ROLLBACK.
 *
 * Values stay as `pg` returns them: int8 and numeric as strings (no silent precision loss),
 * int2/int4/float4/float8 as numbers, booleans as booleans; the core maps them.
 */
import { CompiledQuery, Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient } from 'kysely';
import pg from 'pg';
import type { ConnectionTarget, DatabaseEngine, DatabasePool, QueryOptions, Row } from '../../core/ports.js';
import { ProbeError } from '../../core/probe-error.js';
import { connectTimeoutFor } from './connect-timeout.js';
import { currentLease, runLeased } from './connection-lease.js';
import { driverErrorFields, driverFailure, isNetworkFailure } from './driver-failure.js';
import { rdsTrust } from './rds-trust.js';

/** marks this module's own control statements, sent with the simple protocol (several per message) */
const SIMPLE_PROTOCOL = Symbol('simple protocol');

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
  const db = new Kysely<Record<string, never>>({ dialect: new PostgresDialect({ pool: leasingPool(pool) }) });
  let closed = false;

  return {
    async query(sql: string, { timeoutMs, maxRows, signal }: QueryOptions): Promise<readonly Row[]> {
      if (closed) throw new ProbeError('QUERY_FAILED', 'the connection pool is closed');
      connectTimeout.ms = connectTimeoutFor(timeoutMs);
      const statementTimeoutMs = Math.max(1, Math.ceil(timeoutMs));
      let connected = false;
      try {
        return await runLeased<pg.PoolClient, readonly Row[]>(signal, destroy, (lease) =>
          db.connection().execute(async (conn) => {
            if (lease.abandoned)
              throw new ProbeError('TIMEOUT', 'the client-side deadline passed while connecting');
            connected = true;
            await conn.executeQuery(
              CompiledQuery.raw(`BEGIN READ ONLY; SET LOCAL statement_timeout = ${statementTimeoutMs}`, [
                SIMPLE_PROTOCOL,
              ]),
            );
            try {
              const { rows } = await conn.executeQuery<Row>(CompiledQuery.raw(sql));
              return rows.length > maxRows + 1 ? rows.slice(0, maxRows + 1) : rows;
            } finally {
              await conn
                .executeQuery(CompiledQuery.raw('ROLLBACK', [SIMPLE_PROTOCOL]))
                .catch((error: unknown) => {
                  // never hand a connection back in an unknown transaction state
                  if (lease.connection) destroy(lease.connection);
                  throw error;
                });
            }
          }),
        );
      } catch (error) {
        throw classify(error, connected);
      }
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await db.destroy();
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
 * On abort the connection is destroyed rather than the query cancelled with `pg_cancel_backend`:
 * cancelling needs another session (beyond `maxConnections`, and impossible when the server is
 * unreachable), whereas destroying frees the slot at once. What runs on in the server is bounded
 * by the statement timeout every probe sets. (`end()` destroys the socket of a busy client.)
 */
function destroy(client: pg.PoolClient): void {
  client.end().catch(() => undefined);
}

/** The pool kysely sees: it records each checkout in the asking query's lease. */
function leasingPool(pool: pg.Pool): PostgresPool {
  return {
    async connect(): Promise<PostgresPoolClient> {
      const lease = currentLease<pg.PoolClient>();
      const client = await pool.connect();
      if (lease) lease.connection = client;
      const query = (text: string, values: readonly unknown[]) =>
        values[0] === SIMPLE_PROTOCOL
          ? client.query(text)
          : // the extended protocol runs exactly one statement: a probe cannot end the read-only transaction and go on
            client.query({ text, values: [...values], queryMode: 'extended' } as pg.QueryConfig);
      return {
        query,
        release: (discard?: boolean) => client.release(discard),
      } as unknown as PostgresPoolClient;
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
