// The query function against every engine, with real pools on the real PostgreSQL, MariaDB and
// an embedded PGlite: the values each driver really returns, mapped to metric data.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEnginePool } from '../../adapters/database-pools.js';
import { sqlDialectOf } from '../../adapters/engines/engine-registry.js';
import type { QueryManifest } from '../../core/manifest.js';
import type { ProbeConfig } from '../../core/model.js';
import type { ConnectionTarget, QueryResponse } from '../../core/ports.js';
import { createQueryFunction, type QueryFunction } from '../../core/run/query-function.js';
import { database, metric, probe } from '../support/config-factory.js';
import { createReaderLogin, type PasswordLogin, serverAvailable, uniqueName } from '../support/databases.js';

const DDL = (table: string) => `CREATE TABLE ${table} (
  id int PRIMARY KEY, region varchar(10) NOT NULL, shard int NOT NULL, i int NOT NULL, b bigint NOT NULL,
  d numeric(10,2) NOT NULL, f double precision NOT NULL, flag boolean NOT NULL, nul int NULL, t varchar(10) NOT NULL
)`;
const ROWS = (table: string) => `INSERT INTO ${table} VALUES
  (1, 'eu', 1, 5, 9000000000, 3.14, 0.5, true, NULL, 'abc'),
  (2, 'eu', 1, 7, 9000000001, 2.50, 1.5, false, NULL, 'x'),
  (3, 'us', 2, 5, 1, 1.00, 2.5, true, NULL, 'y'),
  (4, 'eu', 1, 5, 1, 1.00, 2.5, true, NULL, 'z')`;

interface EngineFixture {
  readonly engine: string;
  readonly server?: 'postgres' | 'mysql';
  /** a write through a single statement that reads like a query where the engine allows it */
  readonly write: (table: string) => string;
  setup(table: string): Promise<ConnectionTarget>;
  teardown(table: string): Promise<void>;
}

function serverFixture(engine: 'postgres' | 'mysql', write: (table: string) => string): EngineFixture {
  let login: PasswordLogin | undefined;
  return {
    engine,
    server: engine,
    write,
    async setup(table) {
      // a read-only user that needs its password, as a deployed probe user
      login = await createReaderLogin(engine);
      await login.admin.query(DDL(table));
      await login.admin.query(ROWS(table));
      return login.target(2);
    },
    async teardown(table) {
      await login?.admin.query(`DROP TABLE IF EXISTS ${table}`);
      await login?.drop();
    },
  };
}

const pgWrite = (table: string) => `WITH d AS (DELETE FROM ${table} RETURNING 1) SELECT count(*) AS n FROM d`;
let pgliteDir = '';
const fixtures: EngineFixture[] = [
  serverFixture('postgres', pgWrite),
  serverFixture('mysql', (table) => `DELETE FROM ${table}`),
  {
    engine: 'pglite',
    write: pgWrite,
    async setup(table) {
      pgliteDir = mkdtempSync(join(tmpdir(), 'chasm-pglite-'));
      const init = join(pgliteDir, 'seed.sql');
      writeFileSync(init, `${DDL(table)};\n${ROWS(table)};\n`);
      return { kind: 'pglite', init };
    },
    async teardown() {
      if (pgliteDir) rmSync(pgliteDir, { recursive: true, force: true });
    },
  },
];

function probesFor(table: string, write: string): ProbeConfig[] {
  const one = (name: string, sql: string, extra: Partial<ProbeConfig> = {}) =>
    probe({ name, database: 'db', sql, ...extra });
  return [
    one('types', `SELECT i, b, d, f, flag FROM ${table} WHERE id = 1`, {
      metrics: [
        metric({ name: 'Int', column: 'i' }),
        metric({ name: 'Big', column: 'b' }),
        metric({ name: 'Dec', column: 'd' }),
        metric({ name: 'Float', column: 'f' }),
        metric({ name: 'Bool', column: 'flag' }),
      ],
    }),
    one('aggregates', `SELECT count(*) AS n, sum(b) AS total, avg(f) AS avg_f FROM ${table}`, {
      metrics: [
        metric({ name: 'N', column: 'n' }),
        metric({ name: 'Total', column: 'total' }),
        metric({ name: 'AvgF', column: 'avg_f' }),
      ],
    }),
    ...(['skip', 'zero', 'error'] as const).map((onNull) =>
      one(`null-${onNull}`, `SELECT i, nul FROM ${table} WHERE id = 1`, {
        onNull,
        metrics: [metric({ name: 'I', column: 'i' }), metric({ name: 'Nul', column: 'nul' })],
      }),
    ),
    one('text-value', `SELECT t FROM ${table} WHERE id = 1`, {
      metrics: [metric({ name: 'T', column: 't' })],
    }),
    one('by-region', `SELECT region, count(*) AS n FROM ${table} GROUP BY region ORDER BY region`, {
      dimensions: { Region: { column: 'region' }, Env: { value: 'prod' } },
    }),
    one('by-shard', `SELECT shard, i AS n FROM ${table} ORDER BY id`, {
      dimensions: { Shard: { column: 'shard' } },
    }),
    ...(['skip', 'zero'] as const).map((onEmpty) =>
      one(`empty-${onEmpty}`, `SELECT i AS n FROM ${table} WHERE id < 0`, { onEmpty }),
    ),
    one('too-many-rows', `SELECT i AS n FROM ${table}`, { maxRows: 3 }),
    one('too-many-series', `SELECT id, i AS n FROM ${table} ORDER BY id`, {
      maxSeries: 3,
      dimensions: { Id: { column: 'id' } },
    }),
    one('write', write),
    one('count', `SELECT count(*) AS n FROM ${table}`),
  ];
}

const plain = (MetricName: string, Value: number, Dimensions: { Name: string; Value: string }[] = []) => ({
  MetricName,
  Dimensions,
  Unit: 'Count',
  StorageResolution: 60,
  Value,
});

describe.each(fixtures)('query function on $engine', (fixture) => {
  const table = uniqueName('chasm_rt');
  let available = true;
  let run: QueryFunction;
  let response: QueryResponse;

  const reportOf = (name: string) => response.reports.find((report) => report.probe === name);
  const metricsOf = (...names: string[]) =>
    response.metrics.filter((datum) => names.includes(datum.MetricName));

  beforeAll(async () => {
    if (fixture.server) available = await serverAvailable(fixture.server);
    if (!available) return;
    const target = await fixture.setup(table);
    const probes = probesFor(table, fixture.write(table));
    const manifest: QueryManifest = {
      namespace: 'Acme/Test',
      publish: 'fanout',
      health: 'summary',
      databases: { db: database({ name: 'db', engine: fixture.engine }) },
      probes: Object.fromEntries(probes.map((p) => [p.name, p])),
    };
    run = createQueryFunction(manifest, {
      sqlDialect: sqlDialectOf,
      openPool: () => openEnginePool(fixture.engine, target),
    });
    // one invocation runs every probe, as in Lambda
    response = await run({ probes: probes.map((p) => p.name) });
  });

  afterAll(async () => {
    if (!available) return;
    await run?.close();
    await fixture.teardown(table);
  });

  it('reads integer, bigint, numeric, float and boolean columns as numbers', ({ skip }) => {
    if (!available) skip();
    expect(reportOf('types')).toMatchObject({ ok: true, rows: 1, database: 'db' });
    expect(metricsOf('Int', 'Big', 'Dec', 'Float', 'Bool')).toEqual([
      plain('Int', 5),
      plain('Big', 9000000000),
      plain('Dec', 3.14),
      plain('Float', 0.5),
      plain('Bool', 1),
    ]);
  });

  it('reads count, sum of bigint and avg as numbers', ({ skip }) => {
    if (!available) skip();
    expect(metricsOf('N', 'Total', 'AvgF')).toEqual([
      plain('N', 4),
      plain('Total', 18000000003),
      plain('AvgF', 1.75),
    ]);
  });

  it('skips, zeroes or refuses a NULL value as onNull says', ({ skip }) => {
    if (!available) skip();
    expect(metricsOf('Nul')).toEqual([plain('Nul', 0)]);
    // null-skip and null-zero keep the row's other metric; null-error publishes nothing
    expect(metricsOf('I')).toEqual([plain('I', 5), plain('I', 5)]);
    expect(reportOf('null-skip')?.ok).toBe(true);
    expect(reportOf('null-error')?.error).toEqual({
      code: 'INVALID_VALUE',
      message: "probe 'null-error' (database 'db'): column 'nul' is NULL in row 0 (onNull: error)",
    });
  });

  it('refuses text in a value column as INVALID_VALUE naming the value', ({ skip }) => {
    if (!available) skip();
    expect(reportOf('text-value')?.error?.code).toBe('INVALID_VALUE');
    expect(reportOf('text-value')?.error?.message).toContain(`column 't' in row 0 holds text "abc"`);
  });

  it('makes GROUP BY columns and static values dimensions, sorted by name', ({ skip }) => {
    if (!available) skip();
    const byRegion = response.metrics.filter(
      (d) => d.MetricName === 'Value' && d.Dimensions.some((x) => x.Name === 'Region'),
    );
    expect(byRegion).toEqual([
      plain('Value', 3, [
        { Name: 'Env', Value: 'prod' },
        { Name: 'Region', Value: 'eu' },
      ]),
      plain('Value', 1, [
        { Name: 'Env', Value: 'prod' },
        { Name: 'Region', Value: 'us' },
      ]),
    ]);
  });

  it('turns a numeric dimension column into text and merges equal dimensions into Values and Counts', ({
    skip,
  }) => {
    if (!available) skip();
    const byShard = response.metrics.filter((d) => d.Dimensions.some((x) => x.Name === 'Shard'));
    expect(byShard).toEqual([
      {
        MetricName: 'Value',
        Dimensions: [{ Name: 'Shard', Value: '1' }],
        Unit: 'Count',
        StorageResolution: 60,
        Values: [5, 7],
        Counts: [2, 1],
      },
      plain('Value', 5, [{ Name: 'Shard', Value: '2' }]),
    ]);
  });

  it('publishes nothing or a 0 for an empty result as onEmpty says', ({ skip }) => {
    if (!available) skip();
    expect(reportOf('empty-skip')).toMatchObject({ ok: true, rows: 0 });
    expect(reportOf('empty-zero')).toMatchObject({ ok: true, rows: 0 });
    const zeros = response.metrics.filter(
      (d) => d.MetricName === 'Value' && d.Dimensions.length === 0 && d.Value === 0,
    );
    expect(zeros).toHaveLength(1);
  });

  it('fails a probe over maxRows with TOO_MANY_ROWS and one over maxSeries with TOO_MANY_SERIES', ({
    skip,
  }) => {
    if (!available) skip();
    expect(reportOf('too-many-rows')?.error?.code).toBe('TOO_MANY_ROWS');
    expect(reportOf('too-many-rows')?.error?.message).toContain('returned more than 3 rows');
    expect(reportOf('too-many-series')?.error?.code).toBe('TOO_MANY_SERIES');
    expect(response.metrics.filter((d) => d.Dimensions.some((x) => x.Name === 'Id'))).toEqual([]);
  });

  it('refuses a write in a probe and leaves the table unchanged', async ({ skip }) => {
    if (!available) skip();
    expect(reportOf('write')?.ok).toBe(false);
    expect(reportOf('write')?.error?.code).toBe('QUERY_FAILED');
    const after = await run({ probes: ['count'] });
    expect(after.metrics).toEqual([plain('Value', 4)]);
  });
});
