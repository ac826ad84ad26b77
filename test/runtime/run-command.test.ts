// `chasm run` end to end, in-process through main(): config file in, printed metric data and
// exit status out, against embedded PGlite, the real PostgreSQL and the real MariaDB.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AdminConnection,
  connectAdmin,
  MYSQL_URL,
  PG_URL,
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

describe('chasm run on a Postgres and a MariaDB database', () => {
  let available = true;
  let pgAdmin: AdminConnection;
  let myAdmin: AdminConnection;
  let dir = '';
  let file = '';
  const orders = uniqueName('chasm_rt_orders');
  const invoices = uniqueName('chasm_rt_invoices');

  beforeAll(async () => {
    available = (await serverAvailable('postgres')) && (await serverAvailable('mysql'));
    if (!available) return;
    pgAdmin = await connectAdmin('postgres');
    myAdmin = await connectAdmin('mysql');
    await pgAdmin.query(
      `CREATE TABLE ${orders} (id int PRIMARY KEY, status text NOT NULL, amount numeric(10,2) NOT NULL)`,
    );
    await pgAdmin.query(
      `INSERT INTO ${orders} VALUES (1, 'open', 10.50), (2, 'open', 20.00), (3, 'paid', 5.25), (4, 'open', 10.50)`,
    );
    await myAdmin.query(
      `CREATE TABLE ${invoices} (id int PRIMARY KEY, region varchar(10) NOT NULL, due decimal(10,2) NULL)`,
    );
    await myAdmin.query(`INSERT INTO ${invoices} VALUES (1, 'eu', 100.10), (2, 'us', NULL), (3, 'eu', 0.90)`);
    dir = mkdtempSync(join(tmpdir(), 'chasm-run-'));
    file = join(dir, 'probes.yaml');
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
    local: { url: '${PG_URL}' }
  billing:
    engine: mysql
    host: billing.cxyz12345678.eu-west-1.rds.amazonaws.com
    database: billing
    user: metrics_reader
    auth: { type: iam }
    local: { url: '${MYSQL_URL}' }
probes:
  orders-by-status:
    database: orders
    sql: SELECT status, amount FROM ${orders} ORDER BY id
    dimensions:
      Status: { column: status }
      Env: prod
    metrics:
      - { name: OrderAmount, column: amount, unit: None }
  invoices-due:
    database: billing
    sql: SELECT region, sum(due) AS due, count(*) AS n FROM ${invoices} GROUP BY region ORDER BY region
    dimensions:
      Region: { column: region }
    metrics:
      - { name: InvoicesDue, column: due, unit: None }
      - { name: Invoices, column: n, unit: Count }
  broken:
    database: billing
    sql: SELECT region AS n FROM ${invoices}
    metrics:
      - { name: Broken, column: n, unit: Count }
`,
    );
  });

  afterAll(async () => {
    if (!available) return;
    await pgAdmin.query(`DROP TABLE IF EXISTS ${orders}`);
    await myAdmin.query(`DROP TABLE IF EXISTS ${invoices}`);
    await pgAdmin.end();
    await myAdmin.end();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints exactly the expected metric data with --json and exits 0', async ({ skip }) => {
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
});
