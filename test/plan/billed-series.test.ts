import { describe, expect, it } from 'vitest';
import { countSeries } from '../../core/plan/billed-series.js';
import { config, database, metric, probe } from '../support/config-factory.js';

function twoProbes(health: 'summary' | 'detailed' | 'none') {
  return config({
    health,
    databases: [database({ name: 'db' })],
    probes: [
      // static dimensions only: one series per metric
      probe({
        name: 'totals',
        database: 'db',
        dimensions: { Env: { value: 'prod' } },
        metrics: [metric({ name: 'A' }), metric({ name: 'B' })],
      }),
      // a column dimension on one metric: up to maxSeries for that metric
      probe({
        name: 'by-region',
        database: 'db',
        maxSeries: 20,
        metrics: [
          metric({ name: 'C', dimensions: { Region: { column: 'region' } } }),
          metric({ name: 'D', dimensions: { Env: { value: 'prod' } } }),
        ],
      }),
    ],
  });
}

describe('countSeries', () => {
  it('counts one series per metric at least, and maxSeries per metric with a column dimension at most', () => {
    const series = countSeries(twoProbes('none'));

    expect(series.probes).toEqual([
      { probe: 'totals', min: 2, max: 2 },
      { probe: 'by-region', min: 2, max: 21 },
    ]);
    expect(series.min).toBe(4);
    expect(series.max).toBe(23);
  });

  it('applies probe-level column dimensions to every metric', () => {
    const series = countSeries(
      config({
        health: 'none',
        databases: [database({ name: 'db' })],
        probes: [
          probe({
            name: 'p',
            database: 'db',
            maxSeries: 10,
            dimensions: { Region: { column: 'region' } },
            metrics: [metric({ name: 'A' }), metric({ name: 'B' })],
          }),
        ],
      }),
    );

    expect(series.max).toBe(20);
  });

  it.each([
    ['none', 0],
    ['summary', 1],
    ['detailed', 1 + 3 * 2],
  ] as const)('bills %s health as %d series', (health, expected) => {
    const series = countSeries(twoProbes(health));

    expect(series.health).toBe(expected);
    expect(series.min).toBe(4 + expected);
    expect(series.max).toBe(23 + expected);
  });
});

describe('countSeries on fleets and parameters', () => {
  const fleetAndParameters = (health: 'none' | 'detailed') =>
    config({
      health,
      databases: [database({ name: 'a' }), database({ name: 'b' }), database({ name: 'c' })],
      probes: [
        // three databases, each with its Database dimension: three times the series
        probe({
          name: 'fleet',
          database: ['a', 'b', 'c'],
          maxSeries: 10,
          metrics: [
            metric({ name: 'A' }),
            metric({ name: 'B', dimensions: { Region: { column: 'region' } } }),
          ],
        }),
        // two databases, two parameter maps each: four runs
        probe({
          name: 'tickets',
          database: ['a', 'b'],
          sql: 'SELECT count(*) AS n FROM t WHERE s = :status',
          parameters: [{ status: 'open' }, { status: 'closed' }],
          parameterDimensions: { status: 'Status' },
        }),
        probe({ name: 'single', database: 'c' }),
      ],
    });

  it('counts each database of a fleet and each parameter map apart, per probe and per database', () => {
    // act
    const series = countSeries(fleetAndParameters('none'));

    // assess
    expect(series.runs).toEqual([
      { probe: 'fleet', key: 'fleet@a', database: 'a', min: 2, max: 11 },
      { probe: 'fleet', key: 'fleet@b', database: 'b', min: 2, max: 11 },
      { probe: 'fleet', key: 'fleet@c', database: 'c', min: 2, max: 11 },
      { probe: 'tickets', key: 'tickets@a', database: 'a', min: 2, max: 2 },
      { probe: 'tickets', key: 'tickets@b', database: 'b', min: 2, max: 2 },
      { probe: 'single', key: 'single', database: 'c', min: 1, max: 1 },
    ]);
    expect(series.probes).toEqual([
      { probe: 'fleet', min: 6, max: 33 },
      { probe: 'tickets', min: 4, max: 4 },
      { probe: 'single', min: 1, max: 1 },
    ]);
    expect([series.min, series.max]).toEqual([11, 38]);
  });

  it('bills detailed health three times per probe and database', () => {
    // act
    const series = countSeries(fleetAndParameters('detailed'));

    // assess: ProbesFailed, and three for each of the six runs
    expect(series.health).toBe(1 + 3 * 6);
  });
});
