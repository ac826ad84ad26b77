/**
 * One fixture per registered engine for the shared integration suite: how to reach a real
 * server as a user that needs its password (or an embedded PGlite, or the server behind the local
 * RDS Data API endpoint), a private table seeded with three rows that user may read, and how to
 * count the server's connections of that user.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConnectionTarget } from '../../core/ports.js';
import { createPasswordLogin, MYSQL_URL, type PasswordLogin, PG_URL } from '../support/databases.js';
import { useDummyCredentials } from '../support/local-aws/dummy-credentials.js';
import {
  type LocalCluster,
  type LocalRdsData,
  startLocalRdsData,
} from '../support/local-aws/local-rds-data.js';

export interface EngineFixture {
  readonly engine: 'postgres' | 'mysql' | 'pglite' | 'postgres-data-api' | 'mysql-data-api';
  /** the seeded table: (id, i, b, n, f, ok, z, s), ids 1..3 */
  readonly table: string;
  /** a target logging in with a password, whose connections the fixture can count */
  target(maxConnections: number): ConnectionTarget;
  /** the server's connections from pools opened with `target()`; undefined: embedded */
  connections(): Promise<number | undefined>;
  sleepSql(seconds: number): string;
  /** the engine's JS values for the matrix row; see the suite */
  readonly expectedMatrix: Readonly<Record<string, unknown>>;
  /** a target nothing answers for (a closed `port` on this machine, a cluster the Data API does not know) */
  unreachableTarget(port: number): ConnectionTarget;
  /** a target with a user the server does not know */
  badCredentialsTarget(): ConnectionTarget;
  /** a target with the fixture's user and a wrong password; undefined: embedded */
  wrongPasswordTarget?(): ConnectionTarget;
  /** the password login the targets use; undefined: embedded */
  readonly login?: PasswordLogin;
  /** the local Data API endpoint in front of the server; undefined: reached over a connection */
  readonly dataApi?: LocalRdsData;
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
      unreachableTarget: (port) => closedPortTarget(port),
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
      unreachableTarget: (port) => closedPortTarget(port),
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
      unreachableTarget: () => ({ kind: 'pglite', init: join(folder, 'missing.sql') }),
      badCredentialsTarget: () => ({ kind: 'pglite', init: join(folder, 'missing.sql') }),
      async close() {
        await rm(folder, { recursive: true, force: true });
      },
    },
  };
}

function closedPortTarget(port: number): ConnectionTarget {
  return {
    kind: 'server',
    host: '127.0.0.1',
    port,
    database: 'test',
    login: () => ({ user: 'nobody', password: '' }),
    tls: 'disable',
    maxConnections: 1,
  };
}

/** The one local Data API endpoint of this process (the SDK reads it from the environment), its clusters and secrets. */
let rdsData:
  | Promise<{ endpoint: LocalRdsData; clusters: Record<string, LocalCluster>; secrets: Map<string, string> }>
  | undefined;

function localRdsData() {
  rdsData ??= (async () => {
    const clusters: Record<string, LocalCluster> = {};
    const secrets = new Map<string, string>();
    const endpoint = await startLocalRdsData({ clusters, secret: (arn) => secrets.get(arn) });
    useDummyCredentials();
    process.env.AWS_ENDPOINT_URL_RDS_DATA = endpoint.endpoint;
    return { endpoint, clusters, secrets };
  })();
  return rdsData;
}

/**
 * A server fixture reached through the local RDS Data API endpoint: a cluster ARN naming the
 * server, a secret holding the fixture's login, the same table and values.
 */
async function dataApiFixture(
  engine: 'postgres' | 'mysql',
  server: () => Promise<FixtureResult>,
): Promise<FixtureResult> {
  const result = await server();
  if ('unavailable' in result) return result;
  const { fixture } = result;
  const { endpoint, clusters, secrets } = await localRdsData();
  const id = suffix();
  const account = '123456789012';
  const resourceArn = `arn:aws:rds:eu-west-1:${account}:cluster:chasm-${engine}-${id}`;
  const url = new URL(engine === 'postgres' ? PG_URL : MYSQL_URL);
  clusters[resourceArn] = { engine, url: `${url.protocol}//${url.host}${url.pathname}` };
  const secretOf = (name: string, value: { username: string; password: string }): string => {
    const arn = `arn:aws:secretsmanager:eu-west-1:${account}:secret:${name}-${id}`;
    secrets.set(arn, JSON.stringify(value));
    return arn;
  };
  const login = fixture.login as PasswordLogin;
  const serverTarget = fixture.target(1);
  const database = serverTarget.kind === 'server' ? serverTarget.database : 'test';
  const target = (maxConnections: number, secretArn: string, cluster = resourceArn): ConnectionTarget => ({
    kind: 'data-api',
    resourceArn: cluster,
    secretArn,
    database,
    maxConnections,
  });
  const reader = secretOf('reader', { username: login.user, password: login.password });
  const nobody = secretOf('nobody', { username: `nobody_${id}`, password: 'x' });
  const wrong = secretOf('wrong', { username: login.user, password: 'wrong' });
  return {
    fixture: {
      ...fixture,
      engine: `${engine}-data-api`,
      target: (maxConnections) => target(maxConnections, reader),
      unreachableTarget: () => target(1, reader, `${resourceArn}-gone`),
      badCredentialsTarget: () => target(1, nobody),
      wrongPasswordTarget: () => target(1, wrong),
      dataApi: endpoint,
    },
  };
}

export const postgresDataApiFixture = (): Promise<FixtureResult> =>
  dataApiFixture('postgres', postgresFixture);
export const mysqlDataApiFixture = (): Promise<FixtureResult> => dataApiFixture('mysql', mysqlFixture);
