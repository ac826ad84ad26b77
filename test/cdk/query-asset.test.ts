// The bundled query asset, imported as Lambda imports it, runs probes against the real databases.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
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

/** three VPCs: Postgres only, MySQL only, and both; each database with one probe counting the test table */
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
    vpcs: [vpc('pg'), vpc('my'), vpc('both')],
    databases: [
      database({ name: 'pgdb', vpc: 'pg', ...target(pgReader), tls: false, auth: secret }),
      database({ name: 'mydb', vpc: 'my', engine: 'mysql', ...target(myReader), tls: false, auth: secret }),
      database({ name: 'pgdb2', vpc: 'both', ...target(pgReader), tls: false, auth: secret }),
      database({
        name: 'mydb2',
        vpc: 'both',
        engine: 'mysql',
        ...target(myReader),
        tls: false,
        auth: secret,
      }),
    ],
    probes: [
      counting('pg-count', 'pgdb'),
      counting('my-count', 'mydb'),
      counting('pg-count2', 'pgdb2'),
      counting('my-count2', 'mydb2'),
    ],
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
const assetOf = (fnId: string) => probes.queryFunctions.get(fnId)?.assetDir ?? '';
const filesIn = (dir: string) =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();

/** the bundle's files (relative to it) holding code of a source that `matches` */
function filesHolding(matches: (input: string) => boolean): string[] {
  const bundle = bundleHandler(testHandlers().query);
  return Object.entries(bundle.metafile.outputs)
    .filter(
      ([, output]) =>
        Object.keys(output.inputs).some(matches) || output.imports.some((i) => i.external && matches(i.path)),
    )
    .map(([file]) => relative(bundle.dir, resolve(bundle.workingDir, file)));
}
const mysql2 = (input: string) => input.includes('node_modules/mysql2/');
const pg = (input: string) => input.includes('node_modules/pg/');
// PGlite's code, or an import of it (the registry's import of the left-out engine module is neither)
const pglite = (input: string) =>
  input.includes('@electric-sql/pglite') || input.includes('adapters/engines/pglite-');

describe('the bundled query asset', () => {
  it('bundles each function kind once, however many functions use it', () => {
    // this process has synthesized three query functions and a fan-out function
    expect(esbuildRuns()).toBe(2);
    const before = esbuildRuns();
    synthProbes(databasesConfig());
    expect(esbuildRuns()).toBe(before);
    // every function ships files of the one bundle of its kind, beside its own manifest
    const bundleFiles = new Set(filesIn(bundleHandler(testHandlers().query).dir));
    for (const fnId of ['vpc-pg', 'vpc-my', 'vpc-both']) {
      const files = filesIn(assetOf(fnId));
      expect(files).toContain('index.mjs');
      expect(files).toContain('manifest.json');
      expect(files.filter((file) => file !== 'manifest.json' && !bundleFiles.has(file))).toEqual([]);
    }
  });

  it('ships a Postgres-only function without mysql2 and without PGlite', () => {
    const [mysqlChunks, pgliteChunks] = [filesHolding(mysql2), filesHolding(pglite)];

    const files = filesIn(assetOf('vpc-pg'));

    expect(mysqlChunks.length).toBeGreaterThan(0);
    expect(files.filter((file) => mysqlChunks.includes(file) || pgliteChunks.includes(file))).toEqual([]);
    expect(files.some((file) => filesHolding(pg).includes(file))).toBe(true);
  });

  it('ships a MySQL-only function without pg and without PGlite', () => {
    const [pgChunks, pgliteChunks] = [filesHolding(pg), filesHolding(pglite)];

    const files = filesIn(assetOf('vpc-my'));

    expect(pgChunks.length).toBeGreaterThan(0);
    expect(files.filter((file) => pgChunks.includes(file) || pgliteChunks.includes(file))).toEqual([]);
    expect(files.some((file) => filesHolding(mysql2).includes(file))).toBe(true);
  });

  it('ships a function with both engines with pg and mysql2, and without PGlite', () => {
    const files = filesIn(assetOf('vpc-both'));

    expect(files.some((file) => filesHolding(pg).includes(file))).toBe(true);
    expect(files.some((file) => filesHolding(mysql2).includes(file))).toBe(true);
    expect(files.filter((file) => filesHolding(pglite).includes(file))).toEqual([]);
  });

  it('ships the fan-out function, which runs no probe itself here, without any database driver', () => {
    const fanout = bundleHandler(testHandlers().fanout);
    const driverChunks = Object.entries(fanout.metafile.outputs)
      .filter(([, output]) => Object.keys(output.inputs).some((input) => mysql2(input) || pg(input)))
      .map(([file]) => relative(fanout.dir, resolve(fanout.workingDir, file)));

    const files = filesIn(probes.fanoutFunction?.assetDir ?? '');

    expect(driverChunks.length).toBeGreaterThan(0);
    expect(files).toContain('index.mjs');
    expect(files.filter((file) => driverChunks.includes(file))).toEqual([]);
  });

  it('runs a Postgres probe and returns its metric data', () => {
    const response = invokeAsset(assetOf('vpc-pg'), {
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
    const response = invokeAsset(assetOf('vpc-my'), {
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

  it('runs a Postgres and a MariaDB probe in one invocation of a function with both engines', () => {
    const response = invokeAsset(assetOf('vpc-both'), {
      probes: ['pg-count2', 'my-count2'],
      credentials: {
        ...credentials('pgdb2', pgReader.password),
        ...credentials('mydb2', myReader.password),
      },
    });
    expect(response.reports).toEqual([
      expect.objectContaining({ probe: 'pg-count2', database: 'pgdb2', ok: true, rows: 1 }),
      expect.objectContaining({ probe: 'my-count2', database: 'mydb2', ok: true, rows: 1 }),
    ]);
    expect(response.metrics).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ MetricName: 'Total', Value: 7 }),
        expect.objectContaining({ MetricName: 'Total', Value: 30 }),
      ]),
    );
  });

  it('refuses a probe the function was not deployed with', () => {
    const response = invokeAsset(assetOf('vpc-pg'), {
      probes: ['my-count'],
      credentials: credentials('pgdb', ''),
    });
    expect(response.reports).toEqual([
      expect.objectContaining({
        probe: 'my-count',
        ok: false,
        error: expect.objectContaining({ code: 'UNKNOWN_PROBE' }),
      }),
    ]);
  });
});
