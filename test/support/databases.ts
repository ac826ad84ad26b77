// The real databases the integration tests use: where they are, unique names for test data, and a
// loud skip (or, with CI=true, a failure) when a server is down.
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import pg from 'pg';

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
    return true;
  } catch (error) {
    skipUnlessCi(
      `${server} integration tests`,
      `${server} at ${URLS[server]} is not reachable: ${String(error)}`,
    );
    return false;
  }
}

/** Whether both PostgreSQL and MariaDB answer; as `serverAvailable`, for suites needing both. */
export async function databasesAvailable(): Promise<boolean> {
  return (await serverAvailable('postgres')) && (await serverAvailable('mysql'));
}
