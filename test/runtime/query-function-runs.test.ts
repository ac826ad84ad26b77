// The query function on probe runs: a fleet member named probe@database, a probe's parameter maps
// each run on its own and reported together, on embedded PGlite databases.
import { afterAll, describe, expect, it } from 'vitest';
import { openEnginePool } from '../../adapters/database-pools.js';
import { sqlDialectOf } from '../../adapters/engines/engine-registry.js';
import type { QueryManifest } from '../../core/manifest.js';
import { createQueryFunction } from '../../core/run/query-function.js';
import { database, metric, probe } from '../support/config-factory.js';

const manifest: QueryManifest = {
  namespace: 'Acme/Test',
  publish: 'fanout',
  health: 'summary',
  databases: {
    a: database({ name: 'a', engine: 'postgres' }),
    b: database({ name: 'b', engine: 'postgres' }),
  },
  probes: {
    fleet: probe({ name: 'fleet', database: ['a', 'b'], sql: 'SELECT 1 AS n' }),
    one: probe({ name: 'one', database: 'a', sql: 'SELECT 2 AS n' }),
    divided: probe({
      name: 'divided',
      database: 'a',
      sql: 'SELECT 10 / :d AS n',
      parameters: [{ d: 1 }, { d: 0 }, { d: 5 }],
      parameterDimensions: { d: 'Divisor' },
      metrics: [metric({ name: 'Quotient' })],
    }),
    unbound: probe({
      name: 'unbound',
      database: 'a',
      sql: 'SELECT :x AS n',
      parameters: [{ y: 1 }],
      parameterDimensions: { y: 'y' },
    }),
  },
};

// every database an embedded PGlite of its own
const run = createQueryFunction(manifest, {
  openPool: () => openEnginePool('pglite', { kind: 'pglite' }),
  sqlDialect: sqlDialectOf,
});

afterAll(() => run.close());

const value = (MetricName: string, Dimensions: Record<string, string>, Value: number) => ({
  MetricName,
  Dimensions: Object.entries(Dimensions).map(([Name, text]) => ({ Name, Value: text })),
  Unit: 'Count',
  StorageResolution: 60,
  Value,
});

describe('a query function serving probe runs', () => {
  it('runs a fleet member named probe@database on that database, with its Database dimension', async () => {
    // act
    const response = await run({ probes: ['fleet@b', 'one', 'fleet@a'] });

    // assess
    expect(response.reports.map(({ probe, database, ok, rows }) => ({ probe, database, ok, rows }))).toEqual([
      { probe: 'fleet', database: 'b', ok: true, rows: 1 },
      { probe: 'one', database: 'a', ok: true, rows: 1 },
      { probe: 'fleet', database: 'a', ok: true, rows: 1 },
    ]);
    expect(response.metrics).toEqual([
      value('Value', { Database: 'b' }, 1),
      value('Value', {}, 2),
      value('Value', { Database: 'a' }, 1),
    ]);
    expect(response.metricsPerReport).toEqual([1, 1, 1]);
  });

  it.each([
    ['fleet', 'fleet', '', "probe 'fleet' is not deployed with this function"],
    ['fleet@c', 'fleet', 'c', "probe 'fleet' on database 'c' is not deployed with this function"],
    ['one@a', 'one', 'a', "probe 'one' on database 'a' is not deployed with this function"],
  ])('reports %s, which names no run it serves, as UNKNOWN_PROBE', async (key, name, db, message) => {
    // act
    const response = await run({ probes: [key] });

    // assess
    expect(response.reports).toEqual([
      {
        probe: name,
        database: db,
        ok: false,
        rows: 0,
        durationMs: 0,
        error: { code: 'UNKNOWN_PROBE', message },
      },
    ]);
  });

  it('runs each parameter map on its own and reports them together: the failing map fails the probe, the others keep their datums', async () => {
    // act
    const response = await run({ probes: ['divided'] });

    // assess
    const [report] = response.reports;
    expect(report).toMatchObject({ probe: 'divided', database: 'a', ok: false, rows: 2 });
    expect(report?.error?.code).toBe('QUERY_FAILED');
    expect(report?.error?.message).toMatch(/^probe 'divided' \(database 'a', d=0\): division by zero/);
    expect(response.metrics).toEqual([
      value('Quotient', { Divisor: '1' }, 10),
      value('Quotient', { Divisor: '5' }, 2),
    ]);
    expect(response.metricsPerReport).toEqual([2]);
  });

  it('refuses to run a probe whose deployed parameters do not fit its placeholders', async () => {
    // act
    const response = await run({ probes: ['unbound'] });

    // assess
    expect(response.reports[0]?.error).toEqual({
      code: 'QUERY_FAILED',
      message: "probe 'unbound' (database 'a') was not run: parameters map 1 has no value for :x",
    });
  });
});
