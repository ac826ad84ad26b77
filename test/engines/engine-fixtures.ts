/**
 * One fixture per registered engine for the shared integration suite: how to reach a real
 * server as a user that needs its password (or an embedded PGlite), a private table seeded with
 * three rows that user may read, and how to count the server's connections of that user.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConnectionTarget } from '../../core/ports.js';
import { createPasswordLogin, MYSQL_URL, type PasswordLogin, PG_URL } from '../support/databases.js';

export interface EngineFixture {
  readonly engine: 'postgres' | 'mysql' | 'pglite';
  /** the seeded table: (id, i, b, n, f, ok, z, s), ids 1..3 */
  readonly table: string;
  /** a target logging in with a password, whose connections the fixture can count */
  target(maxConnections: number): ConnectionTarget;
  /** the server's connections from pools opened with `target()`; undefined: embedded */
  connections(): Promise<number | undefined>;
  sleepSql(seconds: number): string;
  /** the engine's JS values for the matrix row; see the suite */
  readonly expectedMatrix: Readonly<Record<string, unknown>>;
  /** a target with a user the server does not know */
  badCredentialsTarget(): ConnectionTarget;
  /** a target with the fixture's user and a wrong password; undefined: embedded */
  wrongPasswordTarget?(): ConnectionTarget;
  /** the password login the targets use; undefined: embedded */
  readonly login?: PasswordLogin;
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
  let login: PasswordLogin;
  try {
    login = await createPasswordLogin('postgres');
  } catch (error) {
    return { unavailable: `PostgreSQL at ${PG_URL}: ${(error as Error).message}` };
  }
  const { admin } = login;
  const table = `chasm_engine_${suffix()}`;
  for (const sql of seedSql(table, { bool: 'BOOLEAN', double: 'DOUBLE PRECISION' })) await admin.query(sql);
  await admin.query(`GRANT SELECT ON ${table} TO ${login.user}`);
  return {
    fixture: {
      engine: 'postgres',
      table,
      login,
      target: (maxConnections) => login.target(maxConnections),
      connections: () => login.connections(),
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
      badCredentialsTarget: () => ({
        ...login.target(1),
        login: () => ({ user: `nobody_${suffix()}`, password: 'x' }),
      }),
      wrongPasswordTarget: () => ({
        ...login.target(1),
        login: () => ({ user: login.user, password: 'wrong' }),
      }),
      async close() {
        await admin.query(`DROP TABLE IF EXISTS ${table}`);
        await login.drop();
      },
    },
  };
}

export async function mysqlFixture(): Promise<FixtureResult> {
  let login: PasswordLogin;
  try {
    login = await createPasswordLogin('mysql');
  } catch (error) {
    return { unavailable: `MySQL/MariaDB at ${MYSQL_URL}: ${(error as Error).message}` };
  }
  const { admin } = login;
  const database = `chasm_engine_${suffix()}`;
  const table = `${database}.probe_values`;
  await admin.query(`CREATE DATABASE ${database}`);
  for (const sql of seedSql(table, { bool: 'BOOLEAN', double: 'DOUBLE' })) await admin.query(sql);
  await admin.query(`GRANT SELECT ON ${database}.* TO '${login.user}'@'%'`);
  return {
    fixture: {
      engine: 'mysql',
      table,
      login,
      target: (maxConnections) => login.target(maxConnections, database),
      connections: () => login.connections(),
      sleepSql: (seconds) => `SELECT SLEEP(${seconds}) AS slept`,
      expectedMatrix: { i: 42, b: '9007199254740993', n: '12.50', f: 1.5, ok: 1, z: null, s: 'eu', c: '3' },
      badCredentialsTarget: () => ({
        ...login.target(1, database),
        login: () => ({ user: `nobody_${suffix()}`, password: 'x' }),
      }),
      wrongPasswordTarget: () => ({
        ...login.target(1, database),
        login: () => ({ user: login.user, password: 'wrong' }),
      }),
      async close() {
        await admin.query(`DROP DATABASE IF EXISTS ${database}`);
        await login.drop();
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
