/**
 * MySQL and MariaDB through kysely and `mysql2`: one pool per database, at most `maxConnections`
 * connections. Each probe: the session's statement timeout and read-only mode, then
 * `START TRANSACTION READ ONLY`, the probe's one statement, ROLLBACK. The session-level read-only
 * mode matters: DDL commits the transaction implicitly, and only the session setting refuses it.
 *
 * Values stay as `mysql2` returns them, configured so precision is never lost silently:
 * `supportBigNumbers` + `bigNumberStrings` make BIGINT (and COUNT(*)) strings, `decimalNumbers:
 * false` keeps DECIMAL as strings; INT and DOUBLE are numbers, BOOLEAN (TINYINT(1)) is 1 or 0.
 */
import { CompiledQuery, Kysely, MysqlDialect, type MysqlPool } from 'kysely';
import mysql from 'mysql2';
import type { ConnectionTarget, DatabaseEngine, DatabasePool, QueryOptions, Row } from '../../core/ports.js';
import { ProbeError } from '../../core/probe-error.js';
import { connectTimeoutFor } from './connect-timeout.js';
import { currentLease, runLeased } from './connection-lease.js';
import { driverErrorFields, driverFailure, isNetworkFailure } from './driver-failure.js';
import { rdsTrust } from './rds-trust.js';

/** How a server flavour takes a statement timeout and session-wide read-only mode. */
interface Flavour {
  readonly name: 'mysql' | 'mariadb';
  sessionSettings(timeoutMs: number): string;
}

const MYSQL: Flavour = {
  name: 'mysql',
  // milliseconds; MySQL applies it to SELECT statements, the only ones a read-only session runs
  sessionSettings: (ms) => `SET SESSION max_execution_time = ${ms}, SESSION transaction_read_only = 1`,
};

const MARIADB: Flavour = {
  name: 'mariadb',
  // seconds, fractional
  sessionSettings: (ms) =>
    `SET SESSION max_statement_time = ${(ms / 1000).toFixed(3)}, SESSION tx_read_only = 1`,
};

/** the server cancelled the statement: MySQL ER_QUERY_TIMEOUT, MariaDB ER_STATEMENT_TIMEOUT */
const TIMEOUT_ERRNOS = new Set([3024, 1969]);
/** access denied, unknown database, lost connection */
const SESSION_ERRNOS = new Set([1044, 1045, 1049, 1698, 2002, 2003, 2005, 2006, 2013]);

export const mysqlEngine: DatabaseEngine = {
  name: 'mysql',
  openPool: (target) => openMysqlPool(target),
};

export default mysqlEngine;

type ServerTarget = Exclude<ConnectionTarget, { kind: 'pglite' }>;

export function openMysqlPool(target: ConnectionTarget): DatabasePool {
  if (target.kind === 'pglite') {
    throw new ProbeError('CONNECTION_FAILED', 'the mysql engine connects to servers; use the pglite engine');
  }
  const settings = { password: passwordOf(target), connectTimeoutMs: connectTimeoutFor(10_000) };
  const pool = mysql.createPool(poolOptions(target));
  // a connection that fails while idle is dropped by the pool; without a listener it would throw
  pool.on('connection', (connection) => connection.on('error', () => undefined));
  const db = new Kysely<Record<string, never>>({
    dialect: new MysqlDialect({ pool: leasingPool(pool, settings) }),
  });
  let flavour: Promise<Flavour> | undefined;
  let closed = false;

  const flavourOf = (conn: Kysely<Record<string, never>>): Promise<Flavour> => {
    flavour ??= detectFlavour(conn).catch((error: unknown) => {
      flavour = undefined;
      throw error;
    });
    return flavour;
  };

  return {
    async query(sql: string, { timeoutMs, maxRows, deadline }: QueryOptions): Promise<readonly Row[]> {
      if (closed) throw new ProbeError('QUERY_FAILED', 'the connection pool is closed');
      settings.connectTimeoutMs = connectTimeoutFor(timeoutMs);
      const statementTimeoutMs = Math.max(1, Math.ceil(timeoutMs));
      let connected = false;
      try {
        return await runLeased<mysql.PoolConnection, readonly Row[]>(deadline, destroy, (lease) =>
          db.connection().execute(async (conn) => {
            if (lease.abandoned)
              throw new ProbeError('TIMEOUT', 'the client-side deadline passed while connecting');
            connected = true;
            const server = await flavourOf(conn);
            await conn.executeQuery(CompiledQuery.raw(server.sessionSettings(statementTimeoutMs)));
            await conn.executeQuery(CompiledQuery.raw('START TRANSACTION READ ONLY'));
            try {
              const { rows } = await conn.executeQuery<Row>(CompiledQuery.raw(sql));
              return rows.length > maxRows + 1 ? rows.slice(0, maxRows + 1) : rows;
            } finally {
              await conn.executeQuery(CompiledQuery.raw('ROLLBACK')).catch((error: unknown) => {
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

async function detectFlavour(conn: Kysely<Record<string, never>>): Promise<Flavour> {
  const { rows } = await conn.executeQuery<{ version: string }>(
    CompiledQuery.raw('SELECT VERSION() AS version'),
  );
  return /mariadb/i.test(String(rows[0]?.version)) ? MARIADB : MYSQL;
}

function passwordOf(target: ServerTarget): () => string | Promise<string> {
  if (target.kind === 'server') return target.password;
  const password = decodeURIComponent(new URL(target.url).password);
  return () => password;
}

function poolOptions(target: ServerTarget): mysql.PoolOptions {
  const common: mysql.PoolOptions = {
    connectionLimit: target.maxConnections,
    maxIdle: target.maxConnections,
    waitForConnections: true,
    queueLimit: 0,
    enableKeepAlive: true,
    multipleStatements: false,
    supportBigNumbers: true,
    bigNumberStrings: true,
    decimalNumbers: false,
    connectAttributes: { program_name: 'chasm' },
  };
  if (target.kind === 'url') {
    const url = new URL(target.url);
    return {
      ...common,
      host: decodeURIComponent(url.hostname),
      port: url.port ? Number(url.port) : 3306,
      user: decodeURIComponent(url.username),
      database: decodeURIComponent(url.pathname.slice(1)),
    };
  }
  const { ca } = rdsTrust();
  return {
    ...common,
    host: target.host,
    port: target.port,
    user: target.user,
    database: target.database,
    ...(target.tls
      ? {
          ssl: { rejectUnauthorized: true, ...(ca ? { ca: [...ca] } : {}) },
          // RDS IAM authentication sends the token in clear text: allowed only inside TLS
          enableCleartextPlugin: true,
        }
      : {}),
  };
}

/**
 * The pool kysely sees. Before each checkout it calls the password provider and sets the result,
 * with the derived connect timeout, on the pool's connection settings: `mysql2` copies them into
 * each connection it opens (it has no per-connection password callback as `pg` does), so a new
 * connection always authenticates with a current IAM token or secret. It also records the
 * checkout in the asking query's lease.
 */
function leasingPool(
  pool: mysql.Pool,
  settings: { password: () => string | Promise<string>; connectTimeoutMs: number },
): MysqlPool {
  const connectionConfig = (pool as unknown as { config: { connectionConfig: MutableConnectionConfig } })
    .config.connectionConfig;
  return {
    getConnection(callback) {
      const lease = currentLease<mysql.PoolConnection>();
      Promise.resolve()
        .then(settings.password)
        .then(
          (password) => {
            connectionConfig.password = password;
            connectionConfig.connectTimeout = settings.connectTimeoutMs;
            pool.getConnection((error, connection) => {
              if (!error && lease) lease.connection = connection;
              callback(error, connection);
            });
          },
          (error: unknown) => callback(error, undefined as never),
        );
    },
    end: (callback) => pool.end(callback),
  };
}

interface MutableConnectionConfig {
  password?: string;
  connectTimeout?: number;
}

/**
 * On abort the connection is destroyed rather than the statement stopped with `KILL QUERY`:
 * that needs another session (beyond `maxConnections`, and impossible when the server is
 * unreachable), whereas destroying takes the connection out of the pool at once. `mysql2` then
 * half-closes the socket: the server finishes the statement, bounded by the statement timeout
 * every probe sets, and the connection ends; keep-alive covers a server that went silent.
 */
function destroy(connection: mysql.PoolConnection): void {
  connection.destroy();
}

function classify(error: unknown, connected: boolean): ProbeError {
  if (error instanceof ProbeError) return error;
  if (!connected) return driverFailure('CONNECTION_FAILED', error);
  const fields = driverErrorFields(error);
  if (fields.errno !== undefined && TIMEOUT_ERRNOS.has(fields.errno)) return driverFailure('TIMEOUT', error);
  const fatal = (error as { fatal?: unknown }).fatal === true;
  if (fatal || isNetworkFailure(fields) || (fields.errno !== undefined && SESSION_ERRNOS.has(fields.errno))) {
    return driverFailure('CONNECTION_FAILED', error);
  }
  return driverFailure('QUERY_FAILED', error);
}
