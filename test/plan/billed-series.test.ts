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
