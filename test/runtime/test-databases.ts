// The real databases the runtime tests use, with unique table names and a loud skip (or, with
// CI=true, a failure) when a server is down.
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import pg from 'pg';

export const PG_URL = process.env.CHASM_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const MYSQL_URL = process.env.CHASM_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}

/** Runs admin statements (setup, checks, cleanup) on a server, outside Chasm. */
export interface AdminConnection {
  query(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  end(): Promise<void>;
}

export async function connectAdmin(server: 'postgres' | 'mysql'): Promise<AdminConnection> {
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

/** Whether the server answers; logs loudly when not, and throws under CI=true. */
export async function serverAvailable(server: 'postgres' | 'mysql'): Promise<boolean> {
  try {
    const admin = await connectAdmin(server);
    await admin.end();
    return true;
  } catch (error) {
    const message = `${server} at ${server === 'postgres' ? PG_URL : MYSQL_URL} is not reachable: ${String(error)}`;
    if (process.env.CI === 'true') throw new Error(`${message} (CI=true: integration tests must run)`);
    console.warn(`\n!!! SKIPPING ${server} integration tests: ${message}\n`);
    return false;
  }
}
