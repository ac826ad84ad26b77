/**
 * PostgreSQL through `pg` and kysely's `PostgresDialect`, rows streamed with `pg-cursor`.
 *
 * - Each connection is opened on a socket of its own making (`pg`'s `stream` option), so it can be
 *   destroyed at once, whatever state the server left it in.
 * - A probe: `BEGIN READ ONLY; SET LOCAL statement_timeout = …` (one message), then the probe
 *   through a cursor (extended protocol: exactly one statement, the server stops after
 *   `maxRows + 1` rows).
 * - Afterwards `RESET_SESSION` ends the transaction and undoes what outlives one, as
 *   `DISCARD ALL` does: session advisory locks, prepared statements, cursors, LISTEN, settings.
 * - A statement given up on is cancelled with `pg_cancel_backend` from a second connection: `pg`
 *   has no public way to send the protocol's cancel request.
 *
 * Values stay as `pg` returns them: int8 and numeric as strings (no silent precision loss),
 * int2/int4/float4/float8 as numbers, booleans as booleans; the core maps them.
 */
import { Socket } from 'node:net';
import { type PostgresCursor, PostgresDialect } from 'kysely';
import pg from 'pg';
import Cursor from 'pg-cursor';
import type { ConnectionTarget, DatabaseEngine, DatabaseWarning, Row, TlsMode } from '../../core/ports.js';
import { ProbeError } from '../../core/probe-error.js';
import { connectionUrl, type ServerAddress } from './connection-url.js';
import { driverErrorFields, driverFailure, isNetworkFailure } from './driver-failure.js';
import { beginReadOnly, POSTGRES_PARAMETERS, RESET_SESSION } from './postgres-session.js';
import { type CheckedOut, type EngineAdapter, openProbePool } from './probe-pool.js';
import { rdsTrust } from './rds-trust.js';
import { assertDistinctColumns } from './result-columns.js';
import { type ServerDriver, type ServerSession, serverConnector } from './server-connector.js';

const APPLICATION_NAME = 'chasm';

/** One connection: the client, the socket under it, and its server process (to cancel its statement). */
export interface PostgresConnection extends PostgresSession {
  readonly pid: number;
}

/** The roles that let a user write anywhere or act on the server. */
const POWERFUL_ROLES = [
  'rds_superuser',
  'pg_write_all_data',
  'pg_execute_server_program',
  'pg_write_server_files',
  'pg_signal_backend',
] as const;

/** What the first connection asks about its user: anything that could write or act on the server. */
const PRIVILEGES_SQL = `
SELECT current_user::text AS user, r.rolsuper AS superuser, r.rolcreaterole AS create_role, r.rolcreatedb AS create_db,
  ARRAY(SELECT g.rolname::text FROM pg_roles g
        WHERE g.rolname = ANY ($1::text[]) AND pg_has_role(current_user, g.oid, 'MEMBER')
        ORDER BY g.rolname) AS roles,
  ARRAY(SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND n.nspname <> 'information_schema'
          AND n.nspname NOT LIKE 'pg\\_%' AND has_table_privilege(c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE')
        ORDER BY 1 LIMIT 4) AS tables,
  ARRAY(SELECT DISTINCT p.proname::text FROM pg_proc p
        WHERE p.proname IN ('dblink_exec', 'dblink_connect_u') AND has_function_privilege(p.oid, 'EXECUTE')
        ORDER BY 1) AS functions
FROM pg_roles r WHERE r.rolname = current_user`;

export const postgresAdapter: EngineAdapter<PostgresConnection> = {
  name: 'postgres',
  connector: (target, warn) => {
    const address = serverAddress(target);
    return serverConnector(address, postgresDriver(address), warn);
  },
  maxConnections: (target) => (target.kind === 'pglite' ? 1 : target.maxConnections),
  dialect: (checkOut) =>
    new PostgresDialect({
      pool: {
        connect: async () => clientFor(await checkOut()),
        // the probe pool closes the connections itself
        end: async () => undefined,
      },
      cursor: ObjectRowCursor,
    }),
  begin: (_connection, timeoutMs) => [beginReadOnly(timeoutMs)],
  stopsStreamsCleanly: true,
  parameters: POSTGRES_PARAMETERS,
  classify,
  isConnectionLost,
};

export const postgresEngine: DatabaseEngine = {
  name: 'postgres',
  openPool: (target) => openProbePool(postgresAdapter, target),
};

export default postgresEngine;

function serverAddress(target: ConnectionTarget): ServerAddress {
  if (target.kind === 'pglite' || target.kind === 'data-api') {
    throw new ProbeError(
      'CONNECTION_FAILED',
      `the postgres engine connects to servers; use the ${target.kind === 'pglite' ? 'pglite' : 'postgres-data-api'} engine`,
    );
  }
  if (target.kind === 'server') return target;
  return connectionUrl(target.url, {
    defaultPort: 5432,
    tls: {
      parameter: 'sslmode',
      modes: {
        disable: 'disable',
        require: 'require',
        'verify-ca': 'verify-ca',
        'verify-full': 'verify-full',
      },
    },
  });
}

/** A logged-in client on its socket. */
interface PostgresSession extends ServerSession {
  readonly client: pg.Client;
}

function postgresDriver(address: ServerAddress): ServerDriver<PostgresSession, PostgresConnection> {
  return {
    connect(login) {
      const socket = new Socket();
      const client = new pg.Client({
        host: address.host,
        port: address.port,
        database: address.database,
        user: login.user,
        password: login.password,
        ssl: sslOptions(address.tls),
        stream: () => socket,
        application_name: APPLICATION_NAME,
        keepAlive: true,
      });
      // a failure surfaces through the pending query or the socket's close; unheard, it would crash the process
      client.on('error', () => undefined);
      return { socket, session: client.connect().then(() => ({ client, socket })) };
    },
    async setUp(session) {
      const { rows } = await session.client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      return { ...session, pid: rows[0]?.pid ?? 0 };
    },
    privilegeWarning: ({ client }) => privilegeWarning(client, address.database),
    async reset({ client }) {
      await client.query(RESET_SESSION);
    },
    async cancel({ client }, { pid }) {
      await client.query('SELECT pg_cancel_backend($1)', [pid]);
    },
  };
}

async function privilegeWarning(client: pg.Client, database: string): Promise<DatabaseWarning | undefined> {
  let found: string[];
  let user = 'the database user';
  try {
    await client.query('BEGIN READ ONLY; SET LOCAL statement_timeout = 5000');
    try {
      const { rows } = await client.query<{
        superuser: boolean;
        create_role: boolean;
        create_db: boolean;
        roles: string[];
        tables: string[];
        functions: string[];
        user: string;
      }>(PRIVILEGES_SQL, [POWERFUL_ROLES]);
      const row = rows[0];
      if (!row) return undefined;
      user = `user '${row.user}'`;
      found = [
        ...(row.superuser ? ['is a superuser'] : []),
        ...(row.create_role ? ['may create roles (CREATEROLE)'] : []),
        ...(row.create_db ? ['may create databases (CREATEDB)'] : []),
        ...row.roles.map((role) => `is a member of ${role}`),
        ...(row.tables.length > 0
          ? [
              `may INSERT, UPDATE, DELETE or TRUNCATE ${row.tables.join(', ')}${row.tables.length >= 4 ? ' and more' : ''}`,
            ]
          : []),
        ...row.functions.map((fn) => `may run ${fn}`),
      ];
    } finally {
      await client.query('ROLLBACK');
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
    message: `${user} could write or act on the server: it ${found.join('; ')}. Probes need only SELECT: connect as a user with read-only grants (see the deploying guide)`,
  };
}

function sslOptions(mode: TlsMode): pg.ClientConfig['ssl'] {
  if (mode === 'disable') return false;
  if (mode === 'require') return { rejectUnauthorized: false };
  const { ca } = rdsTrust();
  return {
    rejectUnauthorized: true,
    ...(ca ? { ca: [...ca] } : {}),
    // verify-ca: the chain is verified, not the host name
    ...(mode === 'verify-ca' ? { checkServerIdentity: () => undefined } : {}),
  };
}

/** The client kysely's dialect gets: queries go to the connection, cursors as {@link ObjectRowCursor}. */
function clientFor(checkout: CheckedOut<PostgresConnection>) {
  const { client } = checkout.connection;
  return {
    query(sqlOrCursor: string | ObjectRowCursor<Row>, parameters?: readonly unknown[]) {
      if (sqlOrCursor instanceof ObjectRowCursor) return sqlOrCursor.start(client);
      return client.query(sqlOrCursor, parameters ? [...parameters] : []);
    },
    release: (discard?: boolean) => checkout.release(discard),
  } as never;
}

/**
 * The cursor kysely streams with. Rows are read as arrays and turned into objects here, so a
 * result with two columns of one name is refused rather than losing one of them.
 */
class ObjectRowCursor<T> implements PostgresCursor<T> {
  #cursor: Cursor<unknown[]> | undefined;

  constructor(
    private readonly sql: string,
    private readonly parameters: unknown[],
  ) {}

  /** submits the cursor's query on `client` */
  start(client: pg.Client): this {
    this.#cursor = client.query(new Cursor<unknown[]>(this.sql, this.parameters, { rowMode: 'array' }));
    return this;
  }

  read(count: number): Promise<T[]> {
    const cursor = this.#started();
    return new Promise((resolve, reject) => {
      cursor.read(count, (error, rows, result) => {
        if (error) {
          reject(error);
          return;
        }
        // a cursor read past its end answers with no rows and no result
        if (rows.length === 0) {
          resolve([]);
          return;
        }
        try {
          const names = result.fields.map((field) => field.name);
          assertDistinctColumns(names);
          resolve(rows.map((values) => rowOf(names, values) as T));
        } catch (failure) {
          reject(failure);
        }
      });
    });
  }

  close(): Promise<void> {
    return this.#started().close();
  }

  #started(): Cursor<unknown[]> {
    if (!this.#cursor) throw new Error('the cursor was not started on a connection');
    return this.#cursor;
  }
}

function rowOf(names: readonly string[], values: readonly unknown[]): Row {
  const row: Record<string, unknown> = {};
  for (let i = 0; i < names.length; i++) row[names[i] as string] = values[i];
  return row;
}

/** SQLSTATE classes and codes that mean the session itself failed */
function isSessionFailure(code: string): boolean {
  return code.startsWith('08') || code.startsWith('28') || code.startsWith('57P') || code === '3D000';
}

function isConnectionLost(error: unknown): boolean {
  const fields = driverErrorFields(error);
  if (fields.code === '57P01' || fields.code === '57P02' || fields.code === '57P03') return true;
  if (fields.code?.startsWith('08') || fields.code === 'ECONNRESET' || fields.code === 'EPIPE') return true;
  return /connection terminated|not queryable|Connection ended/i.test(fields.message);
}

function classify(error: unknown, connected: boolean): ProbeError {
  if (error instanceof ProbeError) return error;
  const fields = driverErrorFields(error);
  if (!connected) return driverFailure('CONNECTION_FAILED', error);
  if (fields.code === '57014') return driverFailure('TIMEOUT', error);
  if (isNetworkFailure(fields) || (fields.code !== undefined && isSessionFailure(fields.code))) {
    return driverFailure('CONNECTION_FAILED', error);
  }
  if (isConnectionLost(error)) return driverFailure('CONNECTION_FAILED', error);
  return driverFailure('QUERY_FAILED', error);
}
