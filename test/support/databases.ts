// The real databases the integration tests use: where they are, unique names for test data, and a
// loud skip (or, with CI=true, a failure) when a server is down.
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { ConnectionTarget } from '../../core/ports.js';

export const PG_URL = process.env.CHASM_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const MYSQL_URL = process.env.CHASM_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

export type Server = 'postgres' | 'mysql';

const URLS: Readonly<Record<Server, string>> = { postgres: PG_URL, mysql: MYSQL_URL };

export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}

/** Runs admin statements (setup, checks, cleanup) on a server, outside Chasm. */
export interface AdminConnection {
  query(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  end(): Promise<void>;
}

export async function connectAdmin(server: Server): Promise<AdminConnection> {
  if (server === 'postgres') {
    const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
    await client.connect();
    return {
      query: async (sql, params) => (await client.query(sql, params)).rows,
      end: () => client.end(),
    };
  }
  const connection = await mysql.createConnection({
    uri: MYSQL_URL,
    connectTimeout: 3000,
    multipleStatements: true,
  });
  return {
    query: async (sql, params) => {
      const [rows] = await connection.query(sql, params);
      return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [];
    },
    end: () => connection.end(),
  };
}

/** Runs `work` with a fresh PostgreSQL client, closed afterwards. */
export async function postgres<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Runs `work` with a fresh MariaDB connection, closed afterwards. */
export async function mariadb<T>(work: (connection: mysql.Connection) => Promise<T>): Promise<T> {
  const connection = await mysql.createConnection(MYSQL_URL);
  try {
    return await work(connection);
  } finally {
    await connection.end();
  }
}

/**
 * Says loudly that `suite` is skipped because its database is unreachable (`reason`); with
 * CI=true, where every integration test must run, throws instead.
 */
export function skipUnlessCi(suite: string, reason: string): void {
  if (process.env.CI === 'true') throw new Error(`${reason} (CI=true: integration tests must run)`);
  console.warn(`\n!!! SKIPPING ${suite}: ${reason}\n`);
}

/** Whether the server answers; when not, `skipUnlessCi`. */
export async function serverAvailable(server: Server): Promise<boolean> {
  try {
    const admin = await connectAdmin(server);
    await admin.end();
  } catch (error) {
    skipUnlessCi(
      `${server} integration tests`,
      `${server} at ${URLS[server]} is not reachable: ${String(error)}`,
    );
    return false;
  }
  // the logins Chasm's tests use must need their password, or a missing one goes unnoticed
  try {
    await (await createPasswordLogin(server)).drop();
    return true;
  } catch (error) {
    skipUnlessCi(`${server} integration tests`, String(error));
    return false;
  }
}

/** Whether both PostgreSQL and MariaDB answer; as `serverAvailable`, for suites needing both. */
export async function databasesAvailable(): Promise<boolean> {
  return (await serverAvailable('postgres')) && (await serverAvailable('mysql'));
}

/**
 * A database login that, like every RDS login, needs its password: a unique PostgreSQL role (a
 * member of `chasm_password_login`, which `.ci/prepare-databases` makes the server authenticate
 * with scram-sha-256) or MariaDB user, with no privilege beyond those granted to it.
 */
export interface PasswordLogin {
  readonly server: Server;
  readonly user: string;
  readonly password: string;
  /** a `server` target logging in as this user (no TLS) */
  target(maxConnections: number, database?: string): ConnectionTarget;
  /** `postgres://user:password@…/test` (or `mysql://…`) */
  url(database?: string): string;
  /** the server's sessions of this user */
  connections(): Promise<number>;
  /** runs `sql` as the admin (grants, checks) */
  admin: AdminConnection;
  /** closes its sessions and drops it */
  drop(): Promise<void>;
}

/** Where a server that trusts every local user (so hides missing passwords) is said to be fixed. */
export const PASSWORD_SETUP =
  'run .ci/prepare-databases (as root) so PostgreSQL asks chasm_password_login members for a password';

/**
 * Creates a password login on `server`; throws when the server would let it in without its
 * password (a trust line in pg_hba.conf): see {@link PASSWORD_SETUP}.
 */
export async function createPasswordLogin(server: Server): Promise<PasswordLogin> {
  const admin = await connectAdmin(server);
  const user = uniqueName('chasm_login');
  const password = randomBytes(12).toString('hex');
  const base = new URL(URLS[server]);
  const url = (database = base.pathname.slice(1), secret = password): string => {
    const out = new URL(base.toString());
    out.username = user;
    out.password = secret;
    out.pathname = `/${database}`;
    return out.toString();
  };
  if (server === 'postgres') {
    await admin.query(`CREATE ROLE ${user} LOGIN PASSWORD '${password}' IN ROLE chasm_password_login`);
  } else {
    await admin.query(`CREATE USER '${user}'@'%' IDENTIFIED BY '${password}'`);
  }
  const login: PasswordLogin = {
    server,
    user,
    password,
    admin,
    url: (database) => url(database),
    target: (maxConnections, database = base.pathname.slice(1)) => ({
      kind: 'server',
      host: base.hostname,
      port: Number(base.port || (server === 'postgres' ? 5432 : 3306)),
      database,
      login: () => ({ user, password }),
      tls: 'disable',
      maxConnections,
    }),
    async connections() {
      const rows =
        server === 'postgres'
          ? await admin.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = $1', [user])
          : await admin.query('SELECT COUNT(*) AS n FROM information_schema.processlist WHERE user = ?', [
              user,
            ]);
      return Number(rows[0]?.n ?? 0);
    },
    async drop() {
      if (server === 'postgres') {
        await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [
          user,
        ]);
        await admin.query(`DROP OWNED BY ${user}`);
        await admin.query(`DROP ROLE ${user}`);
      } else {
        for (const row of await admin.query('SELECT id FROM information_schema.processlist WHERE user = ?', [
          user,
        ])) {
          await admin.query(`KILL ${Number(row.id)}`).catch(() => undefined);
        }
        await admin.query(`DROP USER '${user}'@'%'`);
      }
      await admin.end();
    },
  };
  if (await loginSucceeds(server, url(undefined, `${password}x`))) {
    await login.drop();
    throw new Error(`${server} lets ${user} in with a wrong password: ${PASSWORD_SETUP}`);
  }
  return login;
}

async function loginSucceeds(server: Server, url: string): Promise<boolean> {
  try {
    if (server === 'postgres') {
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
      await client.connect();
      await client.end();
    } else {
      const connection = await mysql.createConnection({ uri: url, connectTimeout: 3000 });
      await connection.end();
    }
    return true;
  } catch {
    return false;
  }
}

/**
 * A password login that may read every table of the test database and nothing more (PostgreSQL:
 * `pg_read_all_data`; MariaDB: `SELECT ON *.*`): what a probe user should be.
 */
export async function createReaderLogin(server: Server): Promise<PasswordLogin> {
  const login = await createPasswordLogin(server);
  if (server === 'postgres') await login.admin.query(`GRANT pg_read_all_data TO ${login.user}`);
  else await login.admin.query(`GRANT SELECT ON *.* TO '${login.user}'@'%'`);
  return login;
}
