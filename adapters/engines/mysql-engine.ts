/**
 * MySQL and MariaDB through `mysql2` and kysely's `MysqlDialect`, rows streamed.
 *
 * - Each connection is opened on a socket of its own making (`mysql2`'s `stream` option): its
 *   `destroy()` only half-closes the socket, and a server that stopped answering would keep the
 *   process alive.
 * - A probe: the session's statement timeout and read-only mode, then
 *   `START TRANSACTION READ ONLY`, then the probe's one statement (`multipleStatements` is off),
 *   a server-side prepared statement when it has parameters (`mysql2`'s `query()` would format
 *   them into the text). The session-level read-only mode matters: DDL commits the transaction
 *   implicitly, and only the session setting refuses it.
 * - Afterwards `COM_RESET_CONNECTION` rolls back and drops what outlives a transaction: user
 *   variables, `GET_LOCK` locks, table locks, session settings, temporary tables, prepared
 *   statements (`mysql2` forgets its own with them).
 * - A result cut short (more than `maxRows + 1` rows) or a statement given up on is stopped with
 *   `KILL QUERY` from a second connection: `mysql2` cannot stop reading a result midway.
 *
 * Values stay as `mysql2` returns them, configured so precision is never lost silently:
 * `supportBigNumbers` + `bigNumberStrings` make BIGINT (and COUNT(*)) strings, `decimalNumbers:
 * false` keeps DECIMAL as strings; INT and DOUBLE are numbers, BOOLEAN (TINYINT(1)) is 1 or 0.
 */
import { connect as connectSocket } from 'node:net';
import { MysqlDialect, type MysqlPoolConnection } from 'kysely';
import mysql from 'mysql2';
import type { ConnectionTarget, DatabaseEngine, DatabaseWarning, Row, TlsMode } from '../../core/ports.js';
import { ProbeError } from '../../core/probe-error.js';
import { connectionUrl, type ServerAddress } from './connection-url.js';
import { driverErrorFields, driverFailure, isNetworkFailure } from './driver-failure.js';
import { type CheckedOut, type EngineAdapter, openProbePool } from './probe-pool.js';
import { rdsTrust } from './rds-trust.js';
import { assertDistinctColumns } from './result-columns.js';
import { type ServerDriver, type ServerSession, serverConnector } from './server-connector.js';

export type Flavour = 'mysql' | 'mariadb';

/** One connection: the driver's, the socket under it, its server thread (to kill its statement) and flavour. */
export interface MysqlConnection extends MysqlSession {
  readonly threadId: number;
  readonly flavour: Flavour;
}

/** the server cancelled the statement: MySQL ER_QUERY_TIMEOUT, MariaDB ER_STATEMENT_TIMEOUT */
const TIMEOUT_ERRNOS = new Set([3024, 1969]);
/** access denied, unknown database, lost connection */
const SESSION_ERRNOS = new Set([1044, 1045, 1049, 1698, 2002, 2003, 2005, 2006, 2013]);
/** the server closed the connection: ER_CONNECTION_KILLED, gone away, lost, closed for inactivity */
const LOST_ERRNOS = new Set([1927, 2006, 2013, 4031]);

/** Privileges that read or watch, and nothing else: any other one could write or act on the server. */
const READ_ONLY_PRIVILEGES = new Set([
  'SELECT',
  'SHOW VIEW',
  'USAGE',
  'PROCESS',
  'REPLICATION CLIENT',
  'BINLOG MONITOR',
  'SLAVE MONITOR',
  'REPLICA MONITOR',
  'SHOW DATABASES',
]);

export const mysqlAdapter: EngineAdapter<MysqlConnection> = {
  name: 'mysql',
  connector: (target, warn) => {
    const address = serverAddress(target);
    return serverConnector(address, mysqlDriver(address), warn);
  },
  maxConnections: (target) => (target.kind === 'pglite' ? 1 : target.maxConnections),
  dialect: (checkOut) =>
    new MysqlDialect({
      pool: {
        getConnection(callback) {
          checkOut().then(
            (checkout) => callback(undefined, connectionFor(checkout)),
            (error: unknown) => callback(error, undefined as never),
          );
        },
        // the probe pool closes the connections itself
        end: (callback) => callback(undefined),
      },
    }),
  begin: ({ flavour }, timeoutMs) => {
    const ms = Math.max(1, Math.ceil(timeoutMs));
    return [
      flavour === 'mariadb'
        ? // seconds, fractional
          `SET SESSION max_statement_time = ${(ms / 1000).toFixed(3)}, SESSION tx_read_only = 1`
        : // milliseconds; MySQL applies it to SELECT statements, the only ones a read-only session runs
          `SET SESSION max_execution_time = ${ms}, SESSION transaction_read_only = 1`,
      'START TRANSACTION READ ONLY',
    ];
  },
  stopsStreamsCleanly: false,
  parameters: { syntax: 'mysql', marker: () => '?' },
  classify,
  isConnectionLost,
};

export const mysqlEngine: DatabaseEngine = {
  name: 'mysql',
  openPool: (target) => openProbePool(mysqlAdapter, target),
};

export default mysqlEngine;

function serverAddress(target: ConnectionTarget): ServerAddress {
  if (target.kind === 'pglite' || target.kind === 'data-api') {
    throw new ProbeError(
      'CONNECTION_FAILED',
      `the mysql engine connects to servers; use the ${target.kind === 'pglite' ? 'pglite' : 'mysql-data-api'} engine`,
    );
  }
  if (target.kind === 'server') return target;
  return connectionUrl(target.url, {
    defaultPort: 3306,
    tls: {
      parameter: 'ssl-mode',
      modes: {
        DISABLED: 'disable',
        REQUIRED: 'require',
        VERIFY_CA: 'verify-ca',
        VERIFY_IDENTITY: 'verify-full',
      },
    },
  });
}

/** A logged-in connection on its socket. */
interface MysqlSession extends ServerSession {
  readonly connection: mysql.Connection;
}

function mysqlDriver(address: ServerAddress): ServerDriver<MysqlSession, MysqlConnection> {
  return {
    connect(login) {
      const socket = connectSocket(address.port, address.host);
      socket.setNoDelay(true);
      socket.setKeepAlive(true);
      const tls = address.tls !== 'disable';
      const connection = mysql.createConnection({
        stream: socket,
        host: address.host,
        port: address.port,
        user: login.user,
        password: login.password,
        database: address.database,
        ...(tls ? { ssl: sslOptions(address.tls) } : {}),
        // RDS IAM authentication sends the token in clear text: allowed only inside TLS
        enableCleartextPlugin: tls,
        multipleStatements: false,
        supportBigNumbers: true,
        bigNumberStrings: true,
        decimalNumbers: false,
        connectAttributes: { program_name: 'chasm' },
      });
      // a failure surfaces through the pending query or the socket's close; unheard, it would crash the process
      connection.on('error', () => undefined);
      const session = new Promise<MysqlSession>((resolve, reject) => {
        connection.connect((error) => (error ? reject(error) : resolve({ connection, socket })));
      });
      return { socket, session };
    },
    async setUp(session) {
      const [row] = await run<{ id: number | string; version: string }>(
        session.connection,
        'SELECT CONNECTION_ID() AS id, VERSION() AS version',
      );
      return {
        ...session,
        threadId: Number(row?.id),
        flavour: /mariadb/i.test(String(row?.version)) ? 'mariadb' : 'mysql',
      };
    },
    privilegeWarning: ({ connection }) => privilegeWarning(connection, address.database),
    reset({ connection }) {
      return new Promise((resolve, reject) => {
        connection.reset((error) => (error ? reject(error) : resolve()));
      });
    },
    async cancel({ connection }, { threadId }) {
      await run(connection, `KILL QUERY ${threadId}`);
    },
  };
}

function run<R>(connection: mysql.Connection, sql: string): Promise<R[]> {
  return new Promise((resolve, reject) => {
    connection.query(sql, (error, rows) => (error ? reject(error) : resolve(rows as R[])));
  });
}

/** The grants of the current user and of the roles granted to it, each a `GRANT … ON … TO …` line. */
async function grantsOf(connection: mysql.Connection): Promise<string[]> {
  const lines: string[] = [];
  const roles: string[] = [];
  const seen = new Set<string>();
  const add = (rows: Record<string, unknown>[]) => {
    for (const row of rows) {
      const line = String(Object.values(row)[0] ?? '');
      lines.push(line);
      // a role grant: GRANT `role` TO `user`@`host` (no ON)
      const role = /^GRANT\s+(\S+)\s+TO\s/i.exec(line)?.[1];
      if (role && !/\sON\s/i.test(line) && !seen.has(role)) {
        seen.add(role);
        roles.push(role);
      }
    }
  };
  add(await run<Record<string, unknown>>(connection, 'SHOW GRANTS'));
  for (let role = roles.shift(); role !== undefined && seen.size < 20; role = roles.shift()) {
    add(await run<Record<string, unknown>>(connection, `SHOW GRANTS FOR ${role}`));
  }
  return lines;
}

async function privilegeWarning(
  connection: mysql.Connection,
  database: string,
): Promise<DatabaseWarning | undefined> {
  let user = 'the database user';
  let found: string[];
  try {
    const [row] = await run<{ user: string }>(connection, 'SELECT CURRENT_USER() AS user');
    user = `user '${String(row?.user)}'`;
    found = [];
    for (const line of await grantsOf(connection)) {
      const grant = /^GRANT\s+(.+?)\s+ON\s+(.+?)\s+TO\s/i.exec(line);
      if (!grant) continue;
      const [, privileges = '', on = ''] = grant;
      const risky = privileges
        .split(',')
        .map((privilege) => privilege.trim().toUpperCase())
        .filter((privilege) => !READ_ONLY_PRIVILEGES.has(privilege));
      if (/WITH GRANT OPTION/i.test(line)) risky.push('GRANT OPTION');
      if (risky.length > 0) found.push(`${risky.join(', ')} ON ${on}`);
    }
  } catch (error) {
    return {
      code: 'WRITE_CAPABLE_USER',
      message: `could not check that ${user} of database '${database}' is read-only: ${driverErrorFields(error).message}`,
    };
  }
  if (found.length === 0) return undefined;
  return {
    code: 'WRITE_CAPABLE_USER',
    message: `${user} could write or act on the server: it holds ${found.join('; ')}. Probes need only SELECT: connect as a user with read-only grants (see the deploying guide)`,
  };
}

function sslOptions(mode: TlsMode): mysql.SslOptions {
  if (mode === 'require') return { rejectUnauthorized: false };
  const { ca } = rdsTrust();
  return {
    rejectUnauthorized: true,
    // mysql2 checks the host name only when asked
    verifyIdentity: mode === 'verify-full',
    ...(ca ? { ca: [...ca] } : {}),
  };
}

/** The connection kysely's dialect gets: plain queries pass through; streams are {@link rowStream}s. */
function connectionFor(checkout: CheckedOut<MysqlConnection>): MysqlPoolConnection {
  const { connection } = checkout.connection;
  return {
    query(sql: string, parameters: unknown[], callback?: (error: unknown, result: never) => void) {
      if (callback) {
        connection.query(sql, parameters, (error, result) => callback(error, result as never));
        return undefined as never;
      }
      return { stream: () => rowStream(connection, sql, parameters) } as never;
    },
    release: () => checkout.release(),
  } as MysqlPoolConnection;
}

/**
 * The rows of one query. A result whose columns share a name is refused (the row would keep only
 * one of them), and a stream that ends without the server saying the result was complete fails
 * rather than passing for a shorter result. Parameters are bound by the server, in a prepared
 * statement: `query()` would format them into the SQL text on the client.
 */
async function* rowStream(
  connection: mysql.Connection,
  sql: string,
  parameters: unknown[],
): AsyncGenerator<Row> {
  const query =
    parameters.length > 0
      ? connection.execute(sql, parameters as mysql.ExecuteValues)
      : connection.query(sql);
  let failure: unknown;
  let complete = false;
  // a statement without a result set (an OK packet) reports no fields
  query.on('fields', (fields: readonly { readonly name: string }[] | undefined) => {
    try {
      assertDistinctColumns((fields ?? []).map((field) => field.name));
    } catch (error) {
      failure = error;
    }
  });
  query.on('end', () => {
    complete = true;
  });
  for await (const row of query.stream({ objectMode: true })) {
    if (failure !== undefined) throw failure;
    yield row as Row;
  }
  if (failure !== undefined) throw failure;
  if (!complete) throw new Error('Connection lost: the result ended before the server completed it');
}

function isConnectionLost(error: unknown): boolean {
  const fields = driverErrorFields(error);
  if (fields.errno !== undefined && LOST_ERRNOS.has(fields.errno)) return true;
  if (fields.code === 'PROTOCOL_CONNECTION_LOST' || fields.code === 'ECONNRESET' || fields.code === 'EPIPE') {
    return true;
  }
  return /connection lost|closed state|server closed the connection/i.test(fields.message);
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
  if (isConnectionLost(error)) return driverFailure('CONNECTION_FAILED', error);
  return driverFailure('QUERY_FAILED', error);
}
