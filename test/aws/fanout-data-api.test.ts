import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseConfig, ProbeConfig } from '../../core/model.js';
import { dataApiDatabase, metric, vpc } from '../support/config-factory.js';
import {
  createReaderLogin,
  databasesAvailable,
  MYSQL_URL,
  mariadb,
  type PasswordLogin,
  PG_URL,
  postgres,
  uniqueName,
} from '../support/databases.js';
import { type AwsStack, serverDatabase, stackConfig, stackProbe, startAwsStack } from './aws-stack.js';

const available = await databasesAvailable();

const ACCOUNT = '123456789012';
const ORDERS = uniqueName('chasm_api_orders');
const JOBS = uniqueName('chasm_api_jobs');
const WRITES = uniqueName('chasm_api_writes');
const CLUSTER = {
  orders: `arn:aws:rds:eu-west-1:${ACCOUNT}:cluster:orders`,
  jobs: `arn:aws:rds:eu-west-1:${ACCOUNT}:cluster:jobs`,
};
const SECRET = {
  sessions: `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:sessions-reader`,
  orders: `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:orders-reader`,
  jobs: `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:jobs-reader`,
};
// readers that may also write (INSERT into WRITES), so only the read-only transaction stops a write
let pgReader: PasswordLogin;
let myReader: PasswordLogin;
const secretOf = (login: PasswordLogin) => JSON.stringify({ username: login.user, password: login.password });
const serverOf = (url: string) => {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
};

beforeAll(async () => {
  if (!available) return;
  pgReader = await createReaderLogin('postgres');
  myReader = await createReaderLogin('mysql');
  await postgres(async (c) => {
    await c.query(`CREATE TABLE ${ORDERS} (state text NOT NULL, total numeric(10,2) NOT NULL)`);
    await c.query(`INSERT INTO ${ORDERS} VALUES ('open', 10.50), ('open', 4.25), ('shipped', 99.00)`);
    await c.query(`CREATE TABLE ${WRITES} (n integer)`);
    await c.query(`GRANT INSERT ON ${WRITES} TO ${pgReader.user}`);
    await c.query(
      `CREATE FUNCTION ${WRITES}_add() RETURNS integer LANGUAGE sql AS 'INSERT INTO ${WRITES} VALUES (1) RETURNING n'`,
    );
  });
  await mariadb(async (c) => {
    await c.query(`CREATE TABLE ${JOBS} (state varchar(20) NOT NULL)`);
    await c.query(`INSERT INTO ${JOBS} VALUES ('queued'), ('queued'), ('running')`);
    await c.query(`CREATE TABLE ${WRITES} (n INT)`);
    await c.query(`GRANT INSERT ON ${WRITES} TO '${myReader.user}'@'%'`);
    await c.query(
      `CREATE FUNCTION ${WRITES}_add() RETURNS INT MODIFIES SQL DATA SQL SECURITY INVOKER BEGIN INSERT INTO ${WRITES} VALUES (1); RETURN 1; END`,
    );
    await c.query(`GRANT EXECUTE ON FUNCTION ${WRITES}_add TO '${myReader.user}'@'%'`);
  });
});
afterAll(async () => {
  if (!available) return;
  await postgres(async (c) => {
    await c.query(`DROP FUNCTION IF EXISTS ${WRITES}_add()`);
    await c.query(`DROP TABLE IF EXISTS ${ORDERS}, ${WRITES}`);
  });
  await mariadb(async (c) => {
    await c.query(`DROP FUNCTION IF EXISTS ${WRITES}_add`);
    await c.query(`DROP TABLE IF EXISTS ${JOBS}, ${WRITES}`);
  });
  await pgReader.drop();
  await myReader.drop();
});

function databases(): DatabaseConfig[] {
  return [
    serverDatabase('sessions', pgReader.url(), {
      engine: 'postgres',
      vpc: 'app',
      auth: { type: 'secret', secretArn: SECRET.sessions },
    }),
    dataApiDatabase({
      name: 'orders',
      database: new URL(PG_URL).pathname.slice(1),
      auth: { type: 'secret', secretArn: SECRET.orders },
      dataApi: { resourceArn: CLUSTER.orders },
    }),
    dataApiDatabase({
      name: 'jobs',
      engine: 'mysql',
      database: new URL(MYSQL_URL).pathname.slice(1),
      auth: { type: 'secret', secretArn: SECRET.jobs },
      dataApi: { resourceArn: CLUSTER.jobs },
    }),
  ];
}

const count = (name: string, database: string, sql: string, extra: Partial<ProbeConfig> = {}) =>
  stackProbe({ name, database, sql, metrics: [metric({ name })], ...extra });

describe.skipIf(!available)(
  'fan-out end to end with Data API databases: SDK clients → fan-out → local RDS Data API → PostgreSQL and MariaDB',
  () => {
    let stack: AwsStack;
    beforeAll(async () => {
      stack = await startAwsStack(
        stackConfig({
          vpcs: [vpc('app')],
          databases: databases(),
          probes: [
            count('Sessions', 'sessions', 'SELECT 1 AS n'),
            count('OpenOrders', 'orders', `SELECT count(*) AS n FROM ${ORDERS} WHERE state = 'open'`),
            count('OpenTotal', 'orders', `SELECT sum(total) AS n FROM ${ORDERS} WHERE state = 'open'`),
            count('QueuedJobs', 'jobs', `SELECT COUNT(*) AS n FROM ${JOBS} WHERE state = 'queued'`),
            // a SELECT the allow-list lets through that would write: only the read-only transaction stops it
            count('PgWrite', 'orders', `SELECT ${WRITES}_add() AS n`),
            count('MyWrite', 'jobs', `SELECT ${WRITES}_add() AS n`),
            count('PgSlow', 'orders', 'SELECT 1 AS n FROM pg_sleep(3)', { timeoutMs: 500 }),
            count('MySlow', 'jobs', 'SELECT SLEEP(3) AS n', { timeoutMs: 500 }),
            count(
              'PgHuge',
              'orders',
              "SELECT 1 AS n, repeat('x', 1000) AS pad FROM generate_series(1, 2000)",
              {
                maxRows: 5000,
              },
            ),
          ],
        }),
        {
          [SECRET.sessions]: secretOf(pgReader),
          [SECRET.orders]: secretOf(pgReader),
          [SECRET.jobs]: secretOf(myReader),
        },
        {},
        {
          [CLUSTER.orders]: { engine: 'postgres', url: serverOf(PG_URL) },
          [CLUSTER.jobs]: { engine: 'mysql', url: serverOf(MYSQL_URL) },
        },
      );
    });
    afterAll(() => stack?.close());

    it("runs the Data API databases' probes in the fan-out, invoking only the VPC's query function", async () => {
      // act
      const report = await stack.tick(['Sessions', 'OpenOrders', 'OpenTotal', 'QueuedJobs']);

      // assess
      expect(report.probes.map((p) => [p.probe, p.database, p.ok, p.rows])).toEqual([
        ['Sessions', 'sessions', true, 1],
        ['OpenOrders', 'orders', true, 1],
        ['OpenTotal', 'orders', true, 1],
        ['QueuedJobs', 'jobs', true, 1],
      ]);
      expect(stack.lambda.invocations.map((invocation) => invocation.payload)).toEqual([
        {
          probes: ['Sessions'],
          credentials: { sessions: { username: pgReader.user, password: pgReader.password } },
        },
      ]);
      // the Data API reads its databases' secrets itself
      expect([...stack.secrets.reads.keys()]).toEqual([SECRET.sessions]);
      const values = Object.fromEntries(
        stack.cloudwatch.accepted.map((datum) => [datum.MetricName, datum.Value]),
      );
      expect(values).toEqual({
        Sessions: 1,
        OpenOrders: 2,
        OpenTotal: 14.75,
        QueuedJobs: 2,
        ProbesFailed: 0,
      });
      const statements = stack.rdsData?.calls.flatMap((call) => (call.sql === undefined ? [] : [call.sql]));
      expect(statements).toContain(`SELECT count(*) AS n FROM ${ORDERS} WHERE state = 'open'`);
      expect(statements).toContain(`SELECT COUNT(*) AS n FROM ${JOBS} WHERE state = 'queued'`);
    });

    it('refuses a write the SQL rules let through: the read-only transaction stops it on both engines', async () => {
      // act
      const report = await stack.tick(['PgWrite', 'MyWrite', 'OpenOrders']);
      const pgWritten = await postgres(async (c) => {
        const { rows } = await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${WRITES}`);
        return rows[0]?.n;
      });
      const myWritten = await mariadb(async (c) => {
        const [rows] = await c.query(`SELECT COUNT(*) AS n FROM ${WRITES}`);
        return Number((rows as { n: number }[])[0]?.n);
      });

      // assess
      expect(report.probes.map((p) => [p.probe, p.ok, p.error?.code])).toEqual([
        ['PgWrite', false, 'QUERY_FAILED'],
        ['MyWrite', false, 'QUERY_FAILED'],
        ['OpenOrders', true, undefined],
      ]);
      expect(report.probes[0]?.error?.message).toMatch(/read-only transaction/);
      expect(report.probes[1]?.error?.message).toMatch(/READ ONLY transaction/i);
      expect(pgWritten).toBe(0);
      expect(myWritten).toBe(0);
    });

    it('fails a probe past its timeout with TIMEOUT on both engines and publishes the rest', async () => {
      // arrange
      stack.cloudwatch.accepted.length = 0;
      const started = performance.now();

      // act
      const report = await stack.tick(['PgSlow', 'MySlow', 'QueuedJobs']);

      // assess
      expect(report.probes.map((p) => [p.probe, p.ok, p.error?.code])).toEqual([
        ['PgSlow', false, 'TIMEOUT'],
        ['MySlow', false, 'TIMEOUT'],
        ['QueuedJobs', true, undefined],
      ]);
      expect(performance.now() - started).toBeLessThan(2500);
      expect(stack.cloudwatch.accepted.map((datum) => [datum.MetricName, datum.Value])).toEqual([
        ['QueuedJobs', 2],
        ['ProbesFailed', 2],
      ]);
    });

    it("fails a result over the Data API's 1 MiB with PAYLOAD_TOO_LARGE, naming the limit", async () => {
      // act
      const report = await stack.tick(['PgHuge', 'OpenOrders']);

      // assess
      expect(report.probes.map((p) => [p.probe, p.ok, p.error?.code])).toEqual([
        ['PgHuge', false, 'PAYLOAD_TOO_LARGE'],
        ['OpenOrders', true, undefined],
      ]);
      expect(report.probes[0]?.error?.message).toMatch(/1 MiB per response/);
    });

    it('leaves no Data API transaction open after a tick', async () => {
      // act
      await stack.tick(['OpenOrders', 'QueuedJobs', 'PgSlow']);
      await stack.fanout.close();

      // assess
      expect(stack.rdsData?.openTransactions()).toBe(0);
    });
  },
);
