/**
 * One fixture per registered engine for the shared integration suite: how to reach a real
 * server (or an embedded PGlite), a private table seeded with three rows, and how to count the
 * server's connections that came from the pool under test.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { ConnectionTarget } from '../../core/ports.js';
import { MYSQL_URL, PG_URL } from '../support/databases.js';

export interface EngineFixture {
  readonly engine: 'postgres' | 'mysql' | 'pglite';
  /** the seeded table: (id, i, b, n, f, ok, z, s), ids 1..3 */
  readonly table: string;
  /** a target whose connections the fixture can count; `maxConnections` as given */
  target(maxConnections: number): ConnectionTarget;
  /** the server's connections from pools opened with `target()`; undefined: embedded */
  connections(): Promise<number | undefined>;
  sleepSql(seconds: number): string;
  /** the engine's JS values for the matrix row; see the suite */
  readonly expectedMatrix: Readonly<Record<string, unknown>>;
  /** a target with a user the server does not know */
  badCredentialsTarget(): ConnectionTarget;
  close(): Promise<void>;
}

export type FixtureResult = { fixture: EngineFixture } | { unavailable: string };

const suffix = (): string => randomBytes(4).toString('hex');

function seedSql(table: string, ddlTypes: { bool: string; double: string }): string[] {
  return [
    `CREATE TABLE ${table} (id INT PRIMARY KEY, i INT, b BIGINT, n DECIMAL(10,2), f ${ddlTypes.double}, ok ${ddlTypes.bool}, z INT, s VARCHAR(20))`,
    `INSERT INTO ${table} VALUES (1, 42, 9007199254740993, 12.50, 1.5, TRUE, NULL, 'eu'), (2, 7, 7, 0.10, -2.25, FALSE, NULL, 'us'), (3, 0, -1, 100.00, 0, TRUE, 5, 'ap')`,
  ];
}

export async function postgresFixture(): Promise<FixtureResult> {
  const admin = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch (error) {
    return { unavailable: `PostgreSQL at ${PG_URL} is unreachable (${(error as Error).message})` };
  }
  const table = `chasm_engine_${suffix()}`;
  const applicationName = `chasm_test_${suffix()}`;
  for (const sql of seedSql(table, { bool: 'BOOLEAN', double: 'DOUBLE PRECISION' })) await admin.query(sql);
  const withParams = (url: string, params: Record<string, string>): string => {
    const parsed = new URL(url);
    for (const [key, value] of Object.entries(params)) parsed.searchParams.set(key, value);
    return parsed.toString();
  };
  return {
    fixture: {
      engine: 'postgres',
      table,
      target: (maxConnections) => ({
        kind: 'url',
        url: withParams(PG_URL, { application_name: applicationName }),
        maxConnections,
      }),
      async connections() {
        const { rows } = await admin.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1',
          [applicationName],
        );
        return rows[0]?.n ?? 0;
      },
      sleepSql: (seconds) => `SELECT pg_sleep(${seconds}) AS slept`,
      expectedMatrix: {
        i: 42,
        b: '9007199254740993',
        n: '12.50',
        f: 1.5,
        ok: true,
        z: null,
        s: 'eu',
        c: '3',
      },
      badCredentialsTarget: () => {
        const url = new URL(PG_URL);
        url.username = `nobody_${suffix()}`;
        return { kind: 'url', url: url.toString(), maxConnections: 1 };
      },
      async close() {
        await admin.query(`DROP TABLE IF EXISTS ${table}`);
        await admin.end();
      },
    },
  };
}

export async function mysqlFixture(): Promise<FixtureResult> {
  let admin: mysql.Connection;
  try {
    admin = await mysql.createConnection({ uri: MYSQL_URL, connectTimeout: 3000 });
  } catch (error) {
    return { unavailable: `MySQL/MariaDB at ${MYSQL_URL} is unreachable (${(error as Error).message})` };
  }
  // a database of its own: the processlist shows each connection's database, not its attributes
  const database = `chasm_engine_${suffix()}`;
  const table = `${database}.probe_values`;
  await admin.query(`CREATE DATABASE ${database}`);
  for (const sql of seedSql(table, { bool: 'BOOLEAN', double: 'DOUBLE' })) await admin.query(sql);
  const urlFor = (changes: { database?: string; user?: string }): string => {
    const url = new URL(MYSQL_URL);
    if (changes.database) url.pathname = `/${changes.database}`;
    if (changes.user) url.username = changes.user;
    return url.toString();
  };
  return {
    fixture: {
      engine: 'mysql',
      table,
      target: (maxConnections) => ({ kind: 'url', url: urlFor({ database }), maxConnections }),
      async connections() {
        const [rows] = await admin.query<mysql.RowDataPacket[]>(
          'SELECT COUNT(*) AS n FROM information_schema.processlist WHERE db = ?',
          [database],
        );
        return Number(rows[0]?.n ?? 0);
      },
      sleepSql: (seconds) => `SELECT SLEEP(${seconds}) AS slept`,
      expectedMatrix: { i: 42, b: '9007199254740993', n: '12.50', f: 1.5, ok: 1, z: null, s: 'eu', c: '3' },
      badCredentialsTarget: () => ({
        kind: 'url',
        url: urlFor({ user: `nobody_${suffix()}` }),
        maxConnections: 1,
      }),
      async close() {
        await admin.query(`DROP DATABASE IF EXISTS ${database}`);
        await admin.end();
      },
    },
  };
}

export async function pgliteFixture(): Promise<FixtureResult> {
  const folder = await mkdtemp(join(tmpdir(), 'chasm-pglite-'));
  const init = join(folder, 'seed.sql');
  const table = 'probe_values';
  await writeFile(init, `${seedSql(table, { bool: 'BOOLEAN', double: 'DOUBLE PRECISION' }).join(';\n')};\n`);
  return {
    fixture: {
      engine: 'pglite',
      table,
      target: () => ({ kind: 'pglite', init }),
      connections: async () => undefined,
      sleepSql: (seconds) => `SELECT pg_sleep(${seconds}) AS slept`,
      // int8 that fits a double is a number, beyond 2^53 a string; numeric a string
      expectedMatrix: { i: 42, b: '9007199254740993', n: '12.50', f: 1.5, ok: true, z: null, s: 'eu', c: 3 },
      badCredentialsTarget: () => ({ kind: 'pglite', init: join(folder, 'missing.sql') }),
      async close() {
        await rm(folder, { recursive: true, force: true });
      },
    },
  };
}
