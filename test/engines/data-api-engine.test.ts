/**
 * What the Data API engines do beyond the shared engine suite: the calls one probe makes, what they
 * leave behind on the Data API's shared connections, and the Data API's own limits (1 MiB per
 * result, 64 KB per row, the request timeout), against the local endpoint in front of the real
 * PostgreSQL and MariaDB, logged in as read-only users that need their password.
 */
import { ExecuteStatementCommand, RDSDataClient } from '@aws-sdk/client-rds-data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineEntry } from '../../adapters/engines/engine-registry.js';
import type { ConnectionTarget, DatabasePool } from '../../core/ports.js';
import { ProbeError } from '../../core/probe-error.js';
import { startDeadline } from '../../core/run/deadline-timer.js';
import {
  createReaderLogin,
  databasesAvailable,
  MYSQL_URL,
  type PasswordLogin,
  PG_URL,
} from '../support/databases.js';
import { useDummyCredentials } from '../support/local-aws/dummy-credentials.js';
import { type LocalRdsData, startLocalRdsData } from '../support/local-aws/local-rds-data.js';

const available = await databasesAvailable();

/** the local endpoint ends a request after this, as the Data API does after 45 s */
const REQUEST_MS = 1500;
const ACCOUNT = '123456789012';
const options = { timeoutMs: 5000, maxRows: 5000 };

interface Server {
  readonly engine: 'postgres' | 'mysql';
  readonly url: string;
  readonly sleepSql: string;
  /** `rows` rows of `width` characters each */
  rowsSql(rows: number, width: number): string;
  /** the server session and the settings a probe changes beyond its transaction */
  readonly sessionSql: string;
  /** a timestamp at 2024-05-01 12:30:00 UTC and a date, 2024-05-01 */
  readonly datesSql: string;
}

const SERVERS: readonly Server[] = [
  {
    engine: 'postgres',
    url: PG_URL,
    sleepSql: 'SELECT pg_sleep(3) AS slept',
    rowsSql: (rows, width) => `SELECT repeat('x', ${width}) AS s FROM generate_series(1, ${rows})`,
    sessionSql:
      "SELECT pg_backend_pid() AS id, current_setting('statement_timeout') AS timeout, current_setting('transaction_read_only') AS read_only",
    datesSql: "SELECT TIMESTAMPTZ '2024-05-01 12:30:00+00' AS t, DATE '2024-05-01' AS d",
  },
  {
    engine: 'mysql',
    url: MYSQL_URL,
    sleepSql: 'SELECT SLEEP(3) AS slept',
    // a server may cap a recursive CTE at 1000 iterations: 100 × 100 rows
    rowsSql: (rows, width) =>
      `WITH RECURSIVE series(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM series WHERE g < 100) SELECT REPEAT('x', ${width}) AS s FROM series a CROSS JOIN series b LIMIT ${rows}`,
    sessionSql:
      'SELECT CONNECTION_ID() AS id, @@SESSION.max_statement_time AS timeout, @@SESSION.tx_read_only AS read_only, @@autocommit AS autocommit',
    datesSql: "SELECT TIMESTAMP('2024-05-01 12:30:00') AS t, DATE('2024-05-01') AS d",
  },
];

/** once every transaction is over: a released session is rolled back after its probe returns */
async function settled(endpoint: LocalRdsData): Promise<number> {
  for (let i = 0; i < 100 && endpoint.openTransactions() > 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return endpoint.openTransactions();
}

async function failure(promise: Promise<unknown>): Promise<ProbeError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ProbeError) return error;
    throw new Error(`expected a ProbeError, got ${String(error)}`);
  }
  throw new Error('expected the query to fail');
}

describe.skipIf(!available)('the Data API engines, through the local endpoint', () => {
  const clusters: Record<string, { engine: 'postgres' | 'mysql'; url: string }> = {};
  const secrets = new Map<string, string>();
  const logins: PasswordLogin[] = [];
  const pools: DatabasePool[] = [];
  let endpoint: LocalRdsData;
  let client: RDSDataClient;

  beforeAll(async () => {
    endpoint = await startLocalRdsData({
      clusters,
      secret: (arn) => secrets.get(arn),
      limits: { requestMs: REQUEST_MS },
    });
    useDummyCredentials();
    process.env.AWS_ENDPOINT_URL_RDS_DATA = endpoint.endpoint;
    client = new RDSDataClient({});
  });
  afterAll(async () => {
    await Promise.allSettled(pools.map((pool) => pool.close()));
    client?.destroy();
    await endpoint?.close();
    await Promise.allSettled(logins.map((login) => login.drop()));
  });

  for (const server of SERVERS) {
    describe(`${server.engine}-data-api`, () => {
      let target: ConnectionTarget & { kind: 'data-api' };
      let pool: DatabasePool;

      beforeAll(async () => {
        const login = await createReaderLogin(server.engine);
        logins.push(login);
        const url = new URL(server.url);
        const resourceArn = `arn:aws:rds:eu-west-1:${ACCOUNT}:cluster:${login.user.replaceAll('_', '-')}`;
        const secretArn = `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:${login.user}`;
        clusters[resourceArn] = { engine: server.engine, url: `${url.protocol}//${url.host}${url.pathname}` };
        secrets.set(secretArn, JSON.stringify({ username: login.user, password: login.password }));
        target = {
          kind: 'data-api',
          resourceArn,
          secretArn,
          database: url.pathname.slice(1),
          maxConnections: 1,
        };
        const engine = await engineEntry(`${server.engine}-data-api`)?.load();
        if (!engine) throw new Error(`no ${server.engine}-data-api engine`);
        pool = engine.openPool(target);
        pools.push(pool);
      });

      it('runs a probe as one read-only transaction: begun, read-only, timed, the probe, rolled back', async () => {
        // arrange
        await pool.query('SELECT 1 AS warm', options);
        await settled(endpoint);
        const from = endpoint.calls.length;

        // act
        const rows = await pool.query('SELECT 42 AS answer', { ...options, timeoutMs: 1234 });
        const open = await settled(endpoint);

        // assess
        expect(rows.map((row) => Number(row.answer))).toEqual([42]);
        const calls = endpoint.calls.slice(from);
        const transactions = new Set(calls.map((call) => call.transactionId).filter(Boolean));
        expect(transactions.size).toBe(1);
        expect(calls.map((call) => call.operation)).toEqual([
          'BeginTransaction',
          'Execute',
          'Execute',
          'Execute',
          ...(server.engine === 'mysql' ? ['Execute'] : []),
          'RollbackTransaction',
        ]);
        const statements = calls.flatMap((call) => (call.sql === undefined ? [] : [call.sql]));
        expect(statements[0]).toBe('SET TRANSACTION READ ONLY');
        expect(statements[1]).toMatch(
          server.engine === 'postgres' ? /statement_timeout = 1234$/ : /max_statement_time = 1\.234/,
        );
        expect(statements[2]).toBe('SELECT 42 AS answer');
        expect(open).toBe(0);
      });

      it('leaves no statement timeout or read-only mode behind on the Data API connection it used', async () => {
        // act: the probe reports its server session; the Data API hands that connection on next
        const [probe] = await pool.query(server.sessionSql, options);
        await settled(endpoint);
        const after = await client.send(
          new ExecuteStatementCommand({
            resourceArn: target.resourceArn,
            secretArn: target.secretArn,
            database: target.database,
            sql: server.sessionSql,
          }),
        );
        const [id, timeout, readOnly] = (after.records?.[0] ?? []).map(
          (field) => field.stringValue ?? field.longValue ?? field.doubleValue,
        );

        // assess: the probe ran with its settings, the same session has the defaults again
        expect(String(probe?.id)).toBe(String(id));
        expect(String(probe?.timeout)).not.toMatch(/^0(\.0+)?$/);
        expect(String(probe?.read_only)).toMatch(/^(on|1)$/);
        expect(String(timeout)).toMatch(/^0(\.0+)?$/);
        expect(String(readOnly)).toMatch(/^(off|0)$/);
      });

      it('returns timestamps and dates as Dates, read as UTC as Lambda reads them', async () => {
        // act
        const [row] = await pool.query(server.datesSql, options);

        // assess
        expect(row?.t).toEqual(new Date('2024-05-01T12:30:00Z'));
        expect(row?.d).toEqual(new Date('2024-05-01T00:00:00Z'));
      });

      it('gives PAYLOAD_TOO_LARGE, naming the 1 MiB limit, for a result the Data API will not return; the pool goes on', async () => {
        // act
        const error = await failure(pool.query(server.rowsSql(2000, 1000), options));
        const after = await pool.query('SELECT 1 AS one', options);

        // assess
        expect(error.code).toBe('PAYLOAD_TOO_LARGE');
        expect(error.message).toMatch(/1 MiB per response/);
        expect(error.message).toMatch(/allowed response size limit/);
        expect(after.map((row) => Number(row.one))).toEqual([1]);
        expect(await settled(endpoint)).toBe(0);
      });

      it('gives PAYLOAD_TOO_LARGE, naming the 64 KB limit, for a row the Data API will not return', async () => {
        // act
        const error = await failure(pool.query(server.rowsSql(1, 70_000), options));

        // assess
        expect(error.code).toBe('PAYLOAD_TOO_LARGE');
        expect(error.message).toMatch(/64 KB per row/);
        expect(await settled(endpoint)).toBe(0);
      });

      it('returns a result just under the limits whole, cut to maxRows + 1 rows', async () => {
        // act
        const rows = await pool.query(server.rowsSql(900, 1000), { timeoutMs: 5000, maxRows: 10 });

        // assess
        expect(rows).toHaveLength(11);
        expect(String(rows[0]?.s)).toHaveLength(1000);
      });

      it('ends the transaction of a probe given up on, once its statement has ended, before settled() resolves', async () => {
        // arrange: the client gives up after 200 ms, the server's statement timeout after 800 ms
        const deadline = startDeadline(200);

        // act
        const error = await failure(pool.query(server.sleepSql, { timeoutMs: 800, maxRows: 10, deadline }));
        const openWhenGivenUp = endpoint.openTransactions();
        await pool.settled();

        // assess
        expect(error.code).toBe('TIMEOUT');
        expect(openWhenGivenUp).toBe(1);
        expect(endpoint.openTransactions()).toBe(0);
      });

      it("gives TIMEOUT, naming the Data API's request limit, when the Data API ends the request first", async () => {
        // arrange: the probe's own timeout is longer than the request may take
        const started = performance.now();

        // act
        const error = await failure(pool.query(server.sleepSql, { ...options, timeoutMs: 10_000 }));
        const after = await pool.query('SELECT 1 AS one', options);

        // assess
        expect(error.code).toBe('TIMEOUT');
        expect(error.message).toMatch(/stopped the request after 45 s/);
        expect(performance.now() - started).toBeLessThan(REQUEST_MS + 1000);
        expect(after.map((row) => Number(row.one))).toEqual([1]);
      });
    });
  }
});
