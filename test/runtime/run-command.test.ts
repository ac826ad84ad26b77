// `chasm run` end to end, in-process through main(): config file in, printed metric data and
// exit status out, against embedded PGlite, the real PostgreSQL and the real MariaDB.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AdminConnection,
  connectAdmin,
  createPasswordLogin,
  createReaderLogin,
  type PasswordLogin,
  serverAvailable,
  uniqueName,
} from '../support/databases.js';
import { runCli } from '../support/run-cli.js';

const QUICKSTART = join(import.meta.dirname, '../../examples/quickstart/probes.yaml');

describe('chasm run on the quickstart (embedded PGlite)', () => {
  it('prints the documented --json shape with the 42 active sessions and exits 0', async () => {
    // act
    const { status, stdout, stderr } = await runCli('run', QUICKSTART, '--json');
    // assess
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      probes: [
        { probe: 'active-sessions', database: 'sessions', ok: true, rows: 1, durationMs: expect.any(Number) },
      ],
      metrics: [
        {
          Namespace: 'Acme/Sessions',
          MetricName: 'ActiveSessions',
          Dimensions: [],
          Unit: 'Count',
          StorageResolution: 60,
          Value: 42,
        },
        {
          Namespace: 'Acme/Sessions',
          MetricName: 'ProbesFailed',
          Dimensions: [],
          Unit: 'Count',
          StorageResolution: 60,
          Value: 0,
        },
      ],
    });
  });

  it('prints a table of probes and one of metric data', async () => {
    const { status, stdout } = await runCli('run', QUICKSTART);
    expect(status).toBe(0);
    expect(stdout).toMatch(/^STATUS\s+PROBE\s+DATABASE\s+ROWS\s+MS\s+ERROR$/m);
    expect(stdout).toMatch(/^ok\s+active-sessions\s+sessions\s+1\s+[\d.]+$/m);
    expect(stdout).toMatch(/^Acme\/Sessions\s+ActiveSessions\s+-\s+42\s+Count$/m);
    expect(stdout).toContain('1 of 1 probes ok; 2 metric datums.');
  });

  it('fails the probes of a database without a local block with CONNECTION_FAILED and exits 2', async () => {
    // arrange: the quickstart without its local block
    const dir = mkdtempSync(join(tmpdir(), 'chasm-run-'));
    const file = join(dir, 'probes.yaml');
    writeFileSync(
      file,
      readFileSync(QUICKSTART, 'utf8').replace(/\n\s+local:\n\s+pglite: \{ init: \.\/seed\.sql \}/, ''),
    );
    // act
    const { status, stdout } = await runCli('run', file, '--json');
    rmSync(dir, { recursive: true, force: true });
    // assess
    expect(status).toBe(2);
    const output = JSON.parse(stdout);
    expect(output.probes[0].error.code).toBe('CONNECTION_FAILED');
    expect(output.probes[0].error.message).toContain("database 'sessions' has no local: block");
    expect(output.metrics).toEqual([
      {
        Namespace: 'Acme/Sessions',
        MetricName: 'ProbesFailed',
        Dimensions: [],
        Unit: 'Count',
        StorageResolution: 60,
        Value: 1,
      },
    ]);
  });

  it('counts a single datum in the singular', async () => {
    // arrange: the quickstart without its local block, so only ProbesFailed is left
    const dir = mkdtempSync(join(tmpdir(), 'chasm-run-'));
    const file = join(dir, 'probes.yaml');
    writeFileSync(
      file,
      readFileSync(QUICKSTART, 'utf8').replace(/\n\s+local:\n\s+pglite: \{ init: \.\/seed\.sql \}/, ''),
    );
    // act
    const { status, stdout } = await runCli('run', file);
    rmSync(dir, { recursive: true, force: true });
    // assess
    expect(status).toBe(2);
    expect(stdout).toContain('0 of 1 probes ok, 1 failed; 1 metric datum.\n');
  });

  it.each([
    [['run'], 'missing FILE'],
    [['run', QUICKSTART, '--bogus'], "unknown option '--bogus'"],
    [['run', QUICKSTART, '--probe'], '--probe needs a probe name'],
    [['run', QUICKSTART, '--publish', 'nowhere'], "not 'nowhere'"],
    [
      ['run', QUICKSTART, '--probe', 'active-sesions'],
      "unknown probe 'active-sesions'; did you mean 'active-sessions'?",
    ],
    [['run', 'no/such/probes.yaml'], ''],
  ])('exits 1 for unusable input: %j', async (args, message) => {
    const { status, stdout, stderr } = await runCli(...args);
    expect(status).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(message);
    expect(stderr).not.toBe('');
  });
});

describe('chasm run on the fleet example (two embedded PGlite databases)', () => {
  it('prints each probe per database and each parameter map as its own series, and exits 0', async () => {
    // act
    const { status, stdout, stderr } = await runCli(
      'run',
      join(import.meta.dirname, '../../examples/fleet/probes.yaml'),
      '--json',
    );

    // assess
    expect(stderr).toBe('');
    expect(status).toBe(0);
    const output = JSON.parse(stdout);
    expect(
      output.probes.map((p: { probe: string; database: string; rows: number }) => [
        p.probe,
        p.database,
        p.rows,
      ]),
    ).toEqual([
      ['open-orders', 'orders-eu', 1],
      ['open-orders', 'orders-us', 1],
      ['orders-by-status', 'orders-eu', 3],
      ['orders-by-status', 'orders-us', 3],
      ['eu-refunds', 'orders-eu', 1],
    ]);
    const data = output.metrics
      .filter((d: { MetricName: string }) => !d.MetricName.startsWith('Probe'))
      .map((d: { MetricName: string; Dimensions: { Name: string; Value: string }[]; Value: number }) => [
        d.MetricName,
        d.Dimensions.map((x) => `${x.Name}=${x.Value}`).join(' '),
        d.Value,
      ]);
    expect(data).toEqual([
      ['OpenOrders', 'Database=orders-eu', 3],
      ['RecentOrders', 'Database=orders-eu Status=open', 2],
      ['RecentOrderValue', 'Database=orders-eu Status=open', 35.5],
      ['RecentOrders', 'Database=orders-eu Status=shipped', 2],
      ['RecentOrderValue', 'Database=orders-eu Status=shipped', 50],
      ['RecentOrders', 'Database=orders-eu Status=on hold', 1],
      ['RecentOrderValue', 'Database=orders-eu Status=on hold', 12.25],
      ['Refunds', '', 1],
      ['OpenOrders', 'Database=orders-us', 1],
      ['RecentOrders', 'Database=orders-us Status=open', 1],
      ['RecentOrderValue', 'Database=orders-us Status=open', 30],
      ['RecentOrders', 'Database=orders-us Status=shipped', 0],
      ['RecentOrderValue', 'Database=orders-us Status=shipped', 0],
      ['RecentOrders', 'Database=orders-us Status=on hold', 1],
      ['RecentOrderValue', 'Database=orders-us Status=on hold', 5],
    ]);
  });
});

const ORDERS = uniqueName('chasm_rt_orders');
const INVOICES = uniqueName('chasm_rt_invoices');

/**
 * Writes the shop config to `dir/name`: database `orders` on the local PostgreSQL and `billing`
 * on the local MariaDB, each reached as the given login.
 */
function writeShopConfig(dir: string, name: string, orders: PasswordLogin, billing: PasswordLogin): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    `version: 1
namespace: Acme/Shop
vpcs:
  app:
    vpcId: vpc-0abc1234def567890
    subnetIds: [subnet-0aaa1111bbbb2222c]
databases:
  orders:
    engine: postgres
    vpc: app
    host: orders.cluster-cxyz12345678.eu-west-1.rds.amazonaws.com
    database: app
    user: metrics_reader
    auth: { type: iam }
    local: { url: '${orders.url()}' }
  billing:
    engine: mysql
    host: billing.cxyz12345678.eu-west-1.rds.amazonaws.com
    database: billing
    user: metrics_reader
    auth: { type: iam }
    local: { url: '${billing.url()}' }
probes:
  orders-by-status:
    database: orders
    sql: SELECT status, amount FROM ${ORDERS} ORDER BY id
    dimensions:
      Status: { column: status }
      Env: prod
    metrics:
      - { name: OrderAmount, column: amount, unit: None }
  invoices-due:
    database: billing
    sql: SELECT region, sum(due) AS due, count(*) AS n FROM ${INVOICES} GROUP BY region ORDER BY region
    dimensions:
      Region: { column: region }
    metrics:
      - { name: InvoicesDue, column: due, unit: None }
      - { name: Invoices, column: n, unit: Count }
  broken:
    database: billing
    sql: SELECT region AS n FROM ${INVOICES}
    metrics:
      - { name: Broken, column: n, unit: Count }
`,
  );
  return file;
}

describe('chasm run on a Postgres and a MariaDB database', () => {
  let available = true;
  let pgAdmin: AdminConnection;
  let myAdmin: AdminConnection;
  // read-only users that need their passwords, as probe users should be
  let readers: PasswordLogin[] = [];
  let dir = '';
  let file = '';

  beforeAll(async () => {
    available = (await serverAvailable('postgres')) && (await serverAvailable('mysql'));
    if (!available) return;
    pgAdmin = await connectAdmin('postgres');
    myAdmin = await connectAdmin('mysql');
    await pgAdmin.query(
      `CREATE TABLE ${ORDERS} (id int PRIMARY KEY, status text NOT NULL, amount numeric(10,2) NOT NULL)`,
    );
    await pgAdmin.query(
      `INSERT INTO ${ORDERS} VALUES (1, 'open', 10.50), (2, 'open', 20.00), (3, 'paid', 5.25), (4, 'open', 10.50)`,
    );
    await myAdmin.query(
      `CREATE TABLE ${INVOICES} (id int PRIMARY KEY, region varchar(10) NOT NULL, due decimal(10,2) NULL)`,
    );
    await myAdmin.query(`INSERT INTO ${INVOICES} VALUES (1, 'eu', 100.10), (2, 'us', NULL), (3, 'eu', 0.90)`);
    const [pgReader, myReader] = [await createReaderLogin('postgres'), await createReaderLogin('mysql')];
    readers = [pgReader, myReader];
    dir = mkdtempSync(join(tmpdir(), 'chasm-run-'));
    file = writeShopConfig(dir, 'probes.yaml', pgReader, myReader);
  });

  afterAll(async () => {
    if (!available) return;
    await pgAdmin.query(`DROP TABLE IF EXISTS ${ORDERS}`);
    await myAdmin.query(`DROP TABLE IF EXISTS ${INVOICES}`);
    await pgAdmin.end();
    await myAdmin.end();
    for (const login of readers) await login.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints exactly the expected metric data with --json, no warnings for read-only users, and exits 0', async ({
    skip,
  }) => {
    if (!available) skip();
    // act
    const { status, stdout, stderr } = await runCli(
      'run',
      file,
      '--json',
      '--probe',
      'orders-by-status',
      '--probe',
      'invoices-due',
    );
    // assess
    expect(stderr).toBe('');
    expect(status).toBe(0);
    const output = JSON.parse(stdout);
    expect(Object.keys(output)).toEqual(['probes', 'metrics']);
    expect(output.probes).toEqual([
      { probe: 'orders-by-status', database: 'orders', ok: true, rows: 4, durationMs: expect.any(Number) },
      { probe: 'invoices-due', database: 'billing', ok: true, rows: 2, durationMs: expect.any(Number) },
    ]);
    const datum = (MetricName: string, Dimensions: object[], Unit: string, value: object) => ({
      Namespace: 'Acme/Shop',
      MetricName,
      Dimensions,
      Unit,
      StorageResolution: 60,
      ...value,
    });
    expect(output.metrics).toEqual([
      datum(
        'OrderAmount',
        [
          { Name: 'Env', Value: 'prod' },
          { Name: 'Status', Value: 'open' },
        ],
        'None',
        {
          Values: [10.5, 20],
          Counts: [2, 1],
        },
      ),
      datum(
        'OrderAmount',
        [
          { Name: 'Env', Value: 'prod' },
          { Name: 'Status', Value: 'paid' },
        ],
        'None',
        { Value: 5.25 },
      ),
      datum('InvoicesDue', [{ Name: 'Region', Value: 'eu' }], 'None', { Value: 101 }),
      datum('Invoices', [{ Name: 'Region', Value: 'eu' }], 'Count', { Value: 2 }),
      datum('Invoices', [{ Name: 'Region', Value: 'us' }], 'Count', { Value: 1 }),
      datum('ProbesFailed', [], 'Count', { Value: 0 }),
    ]);
  });

  it('exits 2 when a probe fails, still printing every probe and the other probes’ metric data', async ({
    skip,
  }) => {
    if (!available) skip();
    const { status, stdout } = await runCli('run', file, '--json');
    expect(status).toBe(2);
    const output = JSON.parse(stdout);
    expect(output.probes.map((p: { probe: string; ok: boolean }) => [p.probe, p.ok])).toEqual([
      ['orders-by-status', true],
      ['invoices-due', true],
      ['broken', false],
    ]);
    expect(output.probes[2].error).toEqual({
      code: 'INVALID_VALUE',
      message: `probe 'broken' (database 'billing'): column 'n' in row 0 holds text "eu", not a finite number within ±2^360`,
    });
    expect(output.metrics.at(-1)).toMatchObject({ MetricName: 'ProbesFailed', Value: 1 });
    expect(output.metrics).toHaveLength(6);
  });

  it('warns at the top of --json and in the text about users that could write, and still exits 0', async ({
    skip,
  }) => {
    if (!available) skip();
    // arrange: the same databases as a PostgreSQL superuser and a MariaDB user with ALL PRIVILEGES
    const [pgWriter, myWriter] = [await createPasswordLogin('postgres'), await createPasswordLogin('mysql')];
    try {
      await pgAdmin.query(`ALTER ROLE ${pgWriter.user} SUPERUSER`);
      await myAdmin.query(`GRANT ALL PRIVILEGES ON *.* TO '${myWriter.user}'@'%'`);
      const writers = writeShopConfig(dir, 'writers.yaml', pgWriter, myWriter);
      const probes = ['--probe', 'orders-by-status', '--probe', 'invoices-due'];

      // act
      const json = await runCli('run', writers, '--json', ...probes);
      const text = await runCli('run', writers, ...probes);

      // assess
      expect([json.status, text.status]).toEqual([0, 0]);
      const output = JSON.parse(json.stdout);
      expect(output.probes.map((p: { ok: boolean }) => p.ok)).toEqual([true, true]);
      const pgMessage = `user '${pgWriter.user}' could write or act on the server: it is a superuser`;
      const myMessage = `user '${myWriter.user}@%' could write or act on the server: it holds ALL PRIVILEGES ON *.*`;
      expect(
        [...output.warnings].sort((a: { database: string }, b: { database: string }) =>
          a.database.localeCompare(b.database),
        ),
      ).toEqual([
        { database: 'billing', code: 'WRITE_CAPABLE_USER', message: expect.stringContaining(myMessage) },
        { database: 'orders', code: 'WRITE_CAPABLE_USER', message: expect.stringContaining(pgMessage) },
      ]);
      expect(text.stdout).toContain(`WARNING WRITE_CAPABLE_USER (database 'orders'): ${pgMessage}`);
      expect(text.stdout).toContain(`WARNING WRITE_CAPABLE_USER (database 'billing'): ${myMessage}`);
    } finally {
      await pgWriter.drop();
      await myWriter.drop();
    }
  });
});
