// The bundled query asset, imported as Lambda imports it, runs probes against the real databases.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleHandler, esbuildRuns } from '../../adapters/cdk/handler-bundler.js';
import type { Probes } from '../../adapters/cdk/probes.js';
import { config, database, metric, probe, vpc } from '../support/config-factory.js';
import { createReaderLogin, mariadb, type PasswordLogin, postgres } from '../support/databases.js';
import { synthProbes, testHandlers } from './synth-probes.js';

const table = `chasm_cdk_${Math.random().toString(36).slice(2, 10)}`;

/** where the database a login reaches is, as a config names it (its password is handed over) */
function target(login: PasswordLogin) {
  const parsed = new URL(login.url());
  return {
    host: parsed.hostname,
    port: Number(parsed.port),
    database: parsed.pathname.slice(1),
    user: login.user,
  };
}

// the probe users: read-only, each needs its password (handed over as a secret's value would be)
let pgReader: PasswordLogin;
let myReader: PasswordLogin;

/** two VPCs, one Postgres-only and one MySQL-only, each with one probe counting the test table */
function databasesConfig() {
  const secret = {
    type: 'secret',
    secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf',
  } as const;
  const counting = (name: string, db: string) =>
    probe({
      name,
      database: db,
      sql: `SELECT count(*) AS n, sum(v) AS total FROM ${table}`,
      metrics: [
        metric({ name: 'Rows', column: 'n' }),
        metric({ name: 'Total', column: 'total', unit: 'None' }),
      ],
    });
  return config({
    vpcs: [vpc('pg'), vpc('my')],
    databases: [
      database({ name: 'pgdb', vpc: 'pg', ...target(pgReader), tls: false, auth: secret }),
      database({ name: 'mydb', vpc: 'my', engine: 'mysql', ...target(myReader), tls: false, auth: secret }),
    ],
    probes: [counting('pg-count', 'pgdb'), counting('my-count', 'mydb')],
  });
}

/** runs the asset's `index.handler` in a fresh Node process with LAMBDA_TASK_ROOT set, as Lambda does */
function invokeAsset(
  dir: string,
  event: unknown,
): { reports: { ok: boolean; error?: unknown }[]; metrics: unknown[] } {
  // the handler logs to stdout: the response goes to a file of its own
  const result = join(mkdtempSync(join(tmpdir(), 'chasm-invoke-')), 'response.json');
  copies.push(dirname(result));
  const script = `import { writeFileSync } from 'node:fs';
const { handler } = await import(${JSON.stringify(join(dir, 'index.mjs'))});
writeFileSync(${JSON.stringify(result)}, JSON.stringify(await handler(${JSON.stringify(event)})));
process.exit(0);`;
  execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', LAMBDA_TASK_ROOT: dir, AWS_REGION: 'eu-west-1' },
    stdio: 'ignore',
    timeout: 60_000,
  });
  return JSON.parse(readFileSync(result, 'utf8'));
}

let probes: Probes;
const copies: string[] = [];

beforeAll(async () => {
  pgReader = await createReaderLogin('postgres');
  myReader = await createReaderLogin('mysql');
  await postgres(async (client) => {
    await client.query(`CREATE TABLE ${table} (v integer NOT NULL)`);
    await client.query(`INSERT INTO ${table} (v) VALUES (1), (2), (4)`);
  });
  await mariadb(async (conn) => {
    await conn.query(`CREATE TABLE ${table} (v integer NOT NULL)`);
    await conn.query(`INSERT INTO ${table} (v) VALUES (10), (20)`);
  });
  probes = synthProbes(databasesConfig()).stack.probes;
}, 120_000);

afterAll(async () => {
  await postgres((client) => client.query(`DROP TABLE IF EXISTS ${table}`));
  await mariadb((conn) => conn.query(`DROP TABLE IF EXISTS ${table}`));
  await pgReader.drop();
  await myReader.drop();
  for (const dir of copies) rmSync(dir, { recursive: true, force: true });
});

const credentials = (db: string, password: string) => ({ [db]: { password } });

describe('the bundled query asset', () => {
  it('bundles each function kind once, however many functions use it', () => {
    // this process has synthesized two query functions and a fan-out function
    expect(esbuildRuns()).toBe(2);
    const before = esbuildRuns();
    synthProbes(databasesConfig());
    expect(esbuildRuns()).toBe(before);
    // two VPCs share one query bundle: same files, each with its own manifest
    const [pgDir, myDir] = [
      probes.queryFunctions.get('vpc-pg')?.assetDir,
      probes.queryFunctions.get('vpc-my')?.assetDir,
    ];
    const files = (dir = '') => readdirSync(dir, { recursive: true }).map(String).sort();
    expect(files(pgDir)).toEqual(files(myDir));
    expect(files(pgDir)).toContain('manifest.json');
  });

  it('runs a Postgres probe and returns its metric data', () => {
    const dir = probes.queryFunctions.get('vpc-pg')?.assetDir ?? '';
    const response = invokeAsset(dir, {
      probes: ['pg-count'],
      credentials: credentials('pgdb', pgReader.password),
    });
    expect(response.reports).toEqual([
      expect.objectContaining({ probe: 'pg-count', database: 'pgdb', ok: true, rows: 1 }),
    ]);
    expect(response.metrics).toEqual([
      { MetricName: 'Rows', Dimensions: [], Unit: 'Count', StorageResolution: 60, Value: 3 },
      { MetricName: 'Total', Dimensions: [], Unit: 'None', StorageResolution: 60, Value: 7 },
    ]);
  });

  it('runs a MariaDB probe and returns its metric data', () => {
    const dir = probes.queryFunctions.get('vpc-my')?.assetDir ?? '';
    const response = invokeAsset(dir, {
      probes: ['my-count'],
      credentials: credentials('mydb', myReader.password),
    });
    expect(response.reports).toEqual([
      expect.objectContaining({ probe: 'my-count', database: 'mydb', ok: true, rows: 1 }),
    ]);
    expect(response.metrics).toEqual([
      { MetricName: 'Rows', Dimensions: [], Unit: 'Count', StorageResolution: 60, Value: 2 },
      { MetricName: 'Total', Dimensions: [], Unit: 'None', StorageResolution: 60, Value: 30 },
    ]);
  });

  it('serves a Postgres-only VPC without ever loading mysql2: it runs with the mysql2 chunks deleted', () => {
    const source = probes.queryFunctions.get('vpc-pg')?.assetDir ?? '';
    const { metafile, dir: bundleDir } = bundleHandler(testHandlers().query);
    const mysqlChunks = Object.entries(metafile.outputs)
      .filter(([, output]) =>
        Object.keys(output.inputs).some((input) => input.includes('node_modules/mysql2/')),
      )
      .map(([file]) => relative(bundleDir, file));
    expect(mysqlChunks.length).toBeGreaterThan(0);
    expect(mysqlChunks).not.toContain('index.mjs');
    const copy = mkdtempSync(join(tmpdir(), 'chasm-pg-only-'));
    copies.push(copy);
    cpSync(source, copy, { recursive: true });
    for (const chunk of mysqlChunks) rmSync(join(copy, chunk));
    const response = invokeAsset(copy, {
      probes: ['pg-count'],
      credentials: credentials('pgdb', pgReader.password),
    });
    expect(response.reports).toEqual([expect.objectContaining({ ok: true })]);
  });

  it('refuses a probe the function was not deployed with', () => {
    const dir = probes.queryFunctions.get('vpc-pg')?.assetDir ?? '';
    const response = invokeAsset(dir, { probes: ['my-count'], credentials: credentials('pgdb', '') });
    expect(response.reports).toEqual([
      expect.objectContaining({
        probe: 'my-count',
        ok: false,
        error: expect.objectContaining({ code: 'UNKNOWN_PROBE' }),
      }),
    ]);
  });
});
