/** Test tables with unique names in the real PostgreSQL and MariaDB, dropped afterwards. */
import mysql from 'mysql2/promise';
import pg from 'pg';
import { MYSQL_URL, PG_URL } from './aws-stack.js';

export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}

export async function postgres<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function mariadb<T>(work: (connection: mysql.Connection) => Promise<T>): Promise<T> {
  const connection = await mysql.createConnection(MYSQL_URL);
  try {
    return await work(connection);
  } finally {
    await connection.end();
  }
}

/**
 * Whether the real PostgreSQL and MariaDB answer. Without them the integration suites skip,
 * loudly; with `CI=true` they fail instead.
 */
export async function databasesAvailable(): Promise<boolean> {
  try {
    await postgres((c) => c.query('SELECT 1'));
    await mariadb((c) => c.query('SELECT 1'));
    return true;
  } catch (error) {
    if (process.env.CI === 'true') throw error;
    console.warn(
      `SKIPPING the AWS integration tests: PostgreSQL (${PG_URL}) or MariaDB (${MYSQL_URL}) is unreachable: ${(error as Error).message}`,
    );
    return false;
  }
}
