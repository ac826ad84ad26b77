// `chasm run --json` end to end on a fleet (a Postgres, a MariaDB and an unreachable database) and
// on a probe with bound parameters, against the real servers as read-only users with passwords.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createReaderLogin,
  databasesAvailable,
  type PasswordLogin,
  uniqueName,
} from '../support/databases.js';
import { runCli } from '../support/run-cli.js';

/** a port on 127.0.0.1 where nothing listens: bound, then closed */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

const datum = (MetricName: string, Dimensions: Record<string, string>, Unit: string, value: object) => ({
  Namespace: 'Acme/Shop',
  MetricName,
  Dimensions: Object.entries(Dimensions).map(([Name, Value]) => ({ Name, Value })),
  Unit,
  StorageResolution: 60,
  ...value,
});

describe('chasm run on a fleet and on bound parameters', () => {
  let available = true;
  const logins: PasswordLogin[] = [];
  let dir = '';
  let file = '';
  const orders = uniqueName('chasm_fleet_orders');
  // what each value would do spliced into the SQL: end the string, end the statement, comment out the rest
  const quoted = "it's; --";
  const injected = "x' OR '1'='1";

  beforeAll(async () => {
    available = await databasesAvailable();
    if (!available) return;
    const postgres = await createReaderLogin('postgres');
    const mariadb = await createReaderLogin('mysql');
    logins.push(postgres, mariadb);
    // the same table on both servers, with different rows
    await postgres.admin.query(
      `CREATE TABLE ${orders} (id int PRIMARY KEY, status varchar(20) NOT NULL, amount decimal(10,2) NOT NULL)`,
    );
    await postgres.admin.query(
      `INSERT INTO ${orders} VALUES (1, 'open', 10.50), (2, 'open', 20.00), (3, 'paid', 5.25), (4, $1, 1.00)`,
      [quoted],
    );
    await mariadb.admin.query(
      `CREATE TABLE ${orders} (id int PRIMARY KEY, status varchar(20) NOT NULL, amount decimal(10,2) NOT NULL)`,
    );
    await mariadb.admin.query(
      `INSERT INTO ${orders} VALUES (1, 'open', 7.00), (2, 'paid', 3.00), (3, ?, 2.50), (4, ?, 0.50)`,
      [quoted, quoted],
    );
    dir = mkdtempSync(join(tmpdir(), 'chasm-fleet-'));
    file = join(dir, 'probes.yaml');
    const database = (engine: string, url: string) =>
      `{ engine: ${engine}, host: db.example.com, database: app, user: metrics_reader, auth: { type: iam }, local: { url: '${url}' } }`;
    writeFileSync(
      file,
      `version: 1
namespace: Acme/Shop
health: detailed
databases:
  pg: ${database('postgres', postgres.url())}
  maria: ${database('mysql', mariadb.url())}
  gone: ${database('postgres', `postgres://nobody:x@127.0.0.1:${await closedPort()}/app`)}
probes:
  orders:
    database: [pg, maria, gone]
    sql: SELECT status, count(*) AS n, sum(amount) AS total FROM ${orders} WHERE status IN ('open', 'paid') GROUP BY status ORDER BY status
    dimensions:
      Status: { column: status }
    metrics:
      - { name: Orders, column: n, unit: Count }
      - { name: Revenue, column: total }
  single:
    database: pg
    sql: SELECT count(*) AS n FROM ${orders}
    metrics:
      - { name: AllOrders, column: n, unit: Count }
  by-status:
    database: [pg, maria]
    sql: |
      SELECT count(*) AS n, ':status' AS literal -- :status in a comment
      FROM ${orders} WHERE status = :status
    parameters:
      - { status: open }
      - { status: "${quoted}" }
      - { status: "${injected}" }
    parameterDimensions: { status: Status }
    metrics:
      - { name: OrdersWithStatus, column: n, unit: Count }
`,
    );
  });

  afterAll(async () => {
    for (const login of logins) {
      await login.admin.query(`DROP TABLE IF EXISTS ${orders}`);
      await login.drop();
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs a fleet probe on each database in isolation: one report and Database dimension per database, the unreachable one failing alone', async ({
    skip,
  }) => {
    if (!available) skip();

    // act
    const { status, stdout, stderr } = await runCli(
      'run',
      file,
      '--json',
      '--probe',
      'orders',
      '--probe',
      'single',
    );

    // assess
    expect(stderr).toBe('');
    expect(status).toBe(2);
    const output = JSON.parse(stdout);
    expect(output.probes).toEqual([
      { probe: 'orders', database: 'pg', ok: true, rows: 2, durationMs: expect.any(Number) },
      { probe: 'orders', database: 'maria', ok: true, rows: 2, durationMs: expect.any(Number) },
      {
        probe: 'orders',
        database: 'gone',
        ok: false,
        rows: 0,
        durationMs: expect.any(Number),
        error: {
          code: 'CONNECTION_FAILED',
          message: expect.stringMatching(/^probe 'orders' \(database 'gone'\): .*ECONNREFUSED/),
        },
      },
      { probe: 'single', database: 'pg', ok: true, rows: 1, durationMs: expect.any(Number) },
    ]);
    const health = (probe: Record<string, string>, success: number, rows: number) => [
      datum('ProbeSuccess', probe, 'Count', { Value: success }),
      datum('ProbeDuration', probe, 'Milliseconds', { Value: expect.any(Number) }),
      datum('ProbeRows', probe, 'Count', { Value: rows }),
    ];
    expect(output.metrics).toEqual([
      datum('Orders', { Database: 'pg', Status: 'open' }, 'Count', { Value: 2 }),
      datum('Orders', { Database: 'pg', Status: 'paid' }, 'Count', { Value: 1 }),
      datum('Revenue', { Database: 'pg', Status: 'open' }, 'None', { Value: 30.5 }),
      datum('Revenue', { Database: 'pg', Status: 'paid' }, 'None', { Value: 5.25 }),
      datum('Orders', { Database: 'maria', Status: 'open' }, 'Count', { Value: 1 }),
      datum('Orders', { Database: 'maria', Status: 'paid' }, 'Count', { Value: 1 }),
      datum('Revenue', { Database: 'maria', Status: 'open' }, 'None', { Value: 7 }),
      datum('Revenue', { Database: 'maria', Status: 'paid' }, 'None', { Value: 3 }),
      // a probe on one database keeps its datums and health metrics as they were: no Database
      datum('AllOrders', {}, 'Count', { Value: 4 }),
      datum('ProbesFailed', {}, 'Count', { Value: 1 }),
      ...health({ Database: 'pg', Probe: 'orders' }, 1, 2),
      ...health({ Database: 'maria', Probe: 'orders' }, 1, 2),
      ...health({ Database: 'gone', Probe: 'orders' }, 0, 0),
      ...health({ Probe: 'single' }, 1, 1),
    ]);
  });

  it("binds each parameter map's values, quotes, semicolons and comment marks included, and adds them as dimensions", async ({
    skip,
  }) => {
    if (!available) skip();

    // act
    const { status, stdout, stderr } = await runCli('run', file, '--json', '--probe', 'by-status');

    // assess: spliced, the second map would be a syntax error and the third would count every row
    expect(stderr).toBe('');
    expect(status).toBe(0);
    const output = JSON.parse(stdout);
    expect(output.probes).toEqual([
      { probe: 'by-status', database: 'pg', ok: true, rows: 3, durationMs: expect.any(Number) },
      { probe: 'by-status', database: 'maria', ok: true, rows: 3, durationMs: expect.any(Number) },
    ]);
    expect(
      output.metrics.filter((metric: { MetricName: string }) => metric.MetricName === 'OrdersWithStatus'),
    ).toEqual([
      datum('OrdersWithStatus', { Database: 'pg', Status: 'open' }, 'Count', { Value: 2 }),
      datum('OrdersWithStatus', { Database: 'pg', Status: quoted }, 'Count', { Value: 1 }),
      datum('OrdersWithStatus', { Database: 'pg', Status: injected }, 'Count', { Value: 0 }),
      datum('OrdersWithStatus', { Database: 'maria', Status: 'open' }, 'Count', { Value: 1 }),
      datum('OrdersWithStatus', { Database: 'maria', Status: quoted }, 'Count', { Value: 2 }),
      datum('OrdersWithStatus', { Database: 'maria', Status: injected }, 'Count', { Value: 0 }),
    ]);
  });
});
