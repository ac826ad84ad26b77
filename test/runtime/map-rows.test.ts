import { describe, expect, it } from 'vitest';
import { ProbeError } from '../../core/probe-error.js';
import { mapRows } from '../../core/run/map-rows.js';
import { metric, probe } from '../support/config-factory.js';

function errorOf(run: () => unknown): ProbeError {
  try {
    run();
  } catch (error) {
    if (error instanceof ProbeError) return error;
    throw error;
  }
  throw new Error('expected a ProbeError');
}

describe('mapRows: values as the drivers return them', () => {
  it.each([
    ['a number (PGlite, mysql2 integers)', 42, 42],
    ['a bigint', 9007199254740993n, 9007199254740992],
    ['a bigint as text (pg count(*))', '42', 42],
    ['a numeric as text (pg numeric, mysql2 decimal)', '3.14', 3.14],
    ['a numeric in exponent notation', '-1e3', -1000],
    ['text with surrounding spaces', ' 7 ', 7],
    ['true', true, 1],
    ['false', false, 0],
    ['a float', 0.5, 0.5],
    ['a negative number', -12, -12],
  ])('reads %s', (_, raw, expected) => {
    // arrange
    const p = probe({ metrics: [metric({ name: 'M', column: 'v' })] });
    // act
    const data = mapRows(p, [{ v: raw }]);
    // assess
    expect(data).toEqual([
      { MetricName: 'M', Dimensions: [], Unit: 'Count', StorageResolution: 60, Value: expected },
    ]);
  });

  it.each([
    ['text that is not a number', 'abc', 'text "abc"'],
    ['pg numeric NaN', 'NaN', 'text "NaN"'],
    ['pg numeric Infinity', 'Infinity', 'text "Infinity"'],
    ['an empty string', '', 'text ""'],
    ['NaN', Number.NaN, 'NaN'],
    ['Infinity', Number.POSITIVE_INFINITY, 'Infinity'],
    ['a value over 2^360', 2 ** 361, String(2 ** 361)],
    ['a value under -2^360', -(2 ** 361), String(-(2 ** 361))],
    ['a bigint over 2^360', 2n ** 400n, String(2n ** 400n)],
    ['a date', new Date('2024-01-02T03:04:05Z'), 'a date (2024-01-02T03:04:05.000Z)'],
    ['binary data', new Uint8Array([1, 2]), 'binary data (2 bytes)'],
    ['an object', { a: 1 }, 'a object'],
  ])('refuses %s as INVALID_VALUE naming probe, database, column, row and value', (_, raw, shown) => {
    // arrange
    const p = probe({ name: 'bad', database: 'main', metrics: [metric({ name: 'M', column: 'v' })] });
    // act
    const error = errorOf(() => mapRows(p, [{ v: 1 }, { v: raw }]));
    // assess
    expect(error.code).toBe('INVALID_VALUE');
    expect(error.message).toContain("probe 'bad' (database 'main')");
    expect(error.message).toContain("column 'v' in row 1");
    expect(error.message).toContain(shown);
  });

  it('accepts exactly ±2^360', () => {
    const p = probe({ metrics: [metric({ name: 'M', column: 'v' })] });
    expect(mapRows(p, [{ v: 2 ** 360 }, { v: -(2 ** 360) }])[0]?.Values).toEqual([2 ** 360, -(2 ** 360)]);
  });

  it('rounds a magnitude below 2^-260 to 0, which CloudWatch accepts', () => {
    const p = probe({ metrics: [metric({ name: 'M', column: 'v' })] });
    expect(mapRows(p, [{ v: 2 ** -300 }])[0]?.Value).toBe(0);
    expect(mapRows(p, [{ v: 2 ** -260 }])[0]?.Value).toBe(2 ** -260);
  });
});

describe('mapRows: NULL and empty results', () => {
  const withNull = [{ a: 1, b: null }];
  const twoMetrics = [metric({ name: 'A', column: 'a' }), metric({ name: 'B', column: 'b' })];

  it('skips a NULL value by default, keeping the row’s other metrics', () => {
    const data = mapRows(probe({ metrics: twoMetrics }), withNull);
    expect(data.map((d) => [d.MetricName, d.Value])).toEqual([['A', 1]]);
  });

  it('publishes 0 for a NULL value with onNull: zero', () => {
    const data = mapRows(probe({ metrics: twoMetrics, onNull: 'zero' }), withNull);
    expect(data.map((d) => [d.MetricName, d.Value])).toEqual([
      ['A', 1],
      ['B', 0],
    ]);
  });

  it('fails with INVALID_VALUE on a NULL value with onNull: error', () => {
    const error = errorOf(() =>
      mapRows(probe({ name: 'n', metrics: twoMetrics, onNull: 'error' }), withNull),
    );
    expect(error.code).toBe('INVALID_VALUE');
    expect(error.message).toBe("probe 'n' (database 'db'): column 'b' is NULL in row 0 (onNull: error)");
  });

  it('publishes nothing for no rows with onEmpty: skip', () => {
    expect(mapRows(probe({ metrics: twoMetrics }), [])).toEqual([]);
  });

  it('publishes 0 with static dimensions for each metric without column dimensions with onEmpty: zero', () => {
    // arrange
    const p = probe({
      onEmpty: 'zero',
      dimensions: { Env: { value: 'prod' } },
      metrics: [
        metric({ name: 'Total', column: 'n', dimensions: { App: { value: 'web' } } }),
        metric({ name: 'ByRegion', column: 'n', dimensions: { Region: { column: 'region' } } }),
      ],
    });
    // act
    const data = mapRows(p, []);
    // assess
    expect(data).toEqual([
      {
        MetricName: 'Total',
        Dimensions: [
          { Name: 'App', Value: 'web' },
          { Name: 'Env', Value: 'prod' },
        ],
        Unit: 'Count',
        StorageResolution: 60,
        Value: 0,
      },
    ]);
  });
});

describe('mapRows: dimensions and merging', () => {
  it('builds dimensions from columns and static values, probe-level and metric-level, sorted by name', () => {
    // arrange
    const p = probe({
      dimensions: { Region: { column: 'region' }, Env: { value: 'prod' } },
      metrics: [
        metric({ name: 'Sessions', column: 'n', unit: 'Count' }),
        metric({
          name: 'AvgDuration',
          column: 'avg_s',
          unit: 'Seconds',
          dimensions: { Kind: { column: 'kind' } },
        }),
      ],
    });
    // act
    const data = mapRows(p, [{ region: 'eu', kind: 'web', n: '7', avg_s: '12.5' }]);
    // assess
    expect(data).toEqual([
      {
        MetricName: 'Sessions',
        Dimensions: [
          { Name: 'Env', Value: 'prod' },
          { Name: 'Region', Value: 'eu' },
        ],
        Unit: 'Count',
        StorageResolution: 60,
        Value: 7,
      },
      {
        MetricName: 'AvgDuration',
        Dimensions: [
          { Name: 'Env', Value: 'prod' },
          { Name: 'Kind', Value: 'web' },
          { Name: 'Region', Value: 'eu' },
        ],
        Unit: 'Seconds',
        StorageResolution: 60,
        Value: 12.5,
      },
    ]);
  });

  it('lets a metric-level dimension override a probe-level one of the same name', () => {
    const p = probe({
      dimensions: { Env: { value: 'prod' } },
      metrics: [metric({ name: 'M', dimensions: { Env: { value: 'staging' } } })],
    });
    expect(mapRows(p, [{ n: 1 }])[0]?.Dimensions).toEqual([{ Name: 'Env', Value: 'staging' }]);
  });

  it('turns a number, bigint, boolean or date dimension column into its text', () => {
    const p = probe({ dimensions: { Shard: { column: 's' } } });
    const data = mapRows(p, [
      { s: 3, n: 1 },
      { s: 4n, n: 1 },
      { s: true, n: 1 },
      { s: new Date('2024-01-01T00:00:00Z'), n: 1 },
    ]);
    expect(data.map((d) => d.Dimensions[0]?.Value)).toEqual(['3', '4', 'true', '2024-01-01T00:00:00.000Z']);
  });

  it('merges rows with equal dimensions into one datum with Values and Counts, equal values counted', () => {
    // arrange
    const p = probe({ dimensions: { Region: { column: 'region' } } });
    const rows = [
      { region: 'eu', n: 5 },
      { region: 'us', n: 1 },
      { region: 'eu', n: 7 },
      { region: 'eu', n: 5 },
      { region: 'us', n: 1 },
    ];
    // act
    const data = mapRows(p, rows);
    // assess
    expect(data).toEqual([
      {
        MetricName: 'Value',
        Dimensions: [{ Name: 'Region', Value: 'eu' }],
        Unit: 'Count',
        StorageResolution: 60,
        Values: [5, 7],
        Counts: [2, 1],
      },
      {
        MetricName: 'Value',
        Dimensions: [{ Name: 'Region', Value: 'us' }],
        Unit: 'Count',
        StorageResolution: 60,
        Values: [1],
        Counts: [2],
      },
    ]);
  });

  it('splits a series with more than 150 distinct values into several datums of that series', () => {
    const rows = Array.from({ length: 320 }, (_, i) => ({ n: i }));
    const data = mapRows(probe({}), rows);
    expect(data.map((d) => d.Values?.length)).toEqual([150, 150, 20]);
    expect(data.flatMap((d) => d.Values)).toEqual(rows.map((row) => row.n));
    expect(data.every((d) => d.Counts?.every((c) => c === 1))).toBe(true);
  });

  it('merges the rows of each of many series, in order of first appearance', () => {
    // arrange: 12 regions, each in three rows spread over the result
    const p = probe({ dimensions: { Region: { column: 'region' } }, maxSeries: 20 });
    const regions = Array.from({ length: 12 }, (_, i) => `r${i}`);
    const rows = [0, 1, 2].flatMap((pass) => regions.map((region, i) => ({ region, n: i + pass })));
    // act
    const data = mapRows(p, rows);
    // assess
    expect(data.map((d) => d.Dimensions[0]?.Value)).toEqual(regions);
    expect(data.map((d) => d.Values)).toEqual(regions.map((_, i) => [i, i + 1, i + 2]));
    expect(data.every((d) => d.Counts?.join() === '1,1,1')).toBe(true);
  });

  it('counts repeated values among many distinct ones, in order of first appearance', () => {
    // arrange: 40 distinct values, then the same 40 again and the first 10 a third time
    const distinct = Array.from({ length: 40 }, (_, i) => i * 1.5);
    const rows = [...distinct, ...distinct, ...distinct.slice(0, 10)].map((n) => ({ n }));
    // act
    const [datum, ...rest] = mapRows(probe({}), rows);
    // assess
    expect(rest).toEqual([]);
    expect(datum?.Values).toEqual(distinct);
    expect(datum?.Counts).toEqual(distinct.map((_, i) => (i < 10 ? 3 : 2)));
  });

  it.each([
    ['NULL', null, 'NULL, which cannot be a dimension value'],
    ['an empty string', '', 'an empty dimension value'],
    ['whitespace only', '   ', 'an empty dimension value'],
    ['1025 characters', 'x'.repeat(1025), 'over 1024 characters (1025)'],
    ['non-ASCII text', 'Zürich', 'other than printable ASCII'],
    ['a control character', 'a\tb', 'other than printable ASCII'],
    ['NaN', Number.NaN, 'cannot be a dimension value'],
  ])('refuses %s as a dimension value with INVALID_VALUE', (_, raw, reason) => {
    const p = probe({ name: 'dims', dimensions: { Region: { column: 'region' } } });
    const error = errorOf(() =>
      mapRows(p, [
        { region: 'eu', n: 1 },
        { region: raw, n: 1 },
      ]),
    );
    expect(error.code).toBe('INVALID_VALUE');
    expect(error.message).toContain("probe 'dims' (database 'db'): dimension column 'region' in row 1");
    expect(error.message).toContain(reason);
  });

  it('accepts a dimension value of exactly 1024 characters', () => {
    const p = probe({ dimensions: { Key: { column: 'k' } } });
    expect(mapRows(p, [{ k: 'x'.repeat(1024), n: 1 }])[0]?.Dimensions[0]?.Value).toHaveLength(1024);
  });
});

describe('mapRows: limits and shape', () => {
  it('fails with TOO_MANY_SERIES beyond maxSeries distinct dimension sets', () => {
    const p = probe({ name: 'wide', maxSeries: 2, dimensions: { K: { column: 'k' } } });
    const error = errorOf(() =>
      mapRows(p, [
        { k: 'a', n: 1 },
        { k: 'b', n: 1 },
        { k: 'a', n: 2 },
        { k: 'c', n: 1 },
      ]),
    );
    expect(error.code).toBe('TOO_MANY_SERIES');
    expect(error.message).toContain("probe 'wide' (database 'db'): metric 'Value' has more than 2 distinct");
    expect(error.message).toContain('row 3 adds {K=c}');
  });

  it('accepts exactly maxSeries distinct dimension sets', () => {
    const p = probe({ maxSeries: 2, dimensions: { K: { column: 'k' } } });
    expect(
      mapRows(p, [
        { k: 'a', n: 1 },
        { k: 'b', n: 1 },
      ]),
    ).toHaveLength(2);
  });

  it('fails with QUERY_FAILED naming a column the SQL does not return and the columns it does', () => {
    const p = probe({ name: 'typo', metrics: [metric({ name: 'M', column: 'active' })] });
    const error = errorOf(() => mapRows(p, [{ count: '42' }]));
    expect(error.code).toBe('QUERY_FAILED');
    expect(error.message).toBe(
      "probe 'typo' (database 'db'): column 'active' is not in the result (columns: count)",
    );
  });

  it('gives several metrics per row, each in config order', () => {
    const p = probe({
      metrics: [
        metric({ name: 'A', column: 'a' }),
        metric({ name: 'B', column: 'b', unit: 'Percent', resolution: 1 }),
      ],
    });
    const data = mapRows(p, [{ a: 1, b: '99.5' }]);
    expect(data).toEqual([
      { MetricName: 'A', Dimensions: [], Unit: 'Count', StorageResolution: 60, Value: 1 },
      { MetricName: 'B', Dimensions: [], Unit: 'Percent', StorageResolution: 1, Value: 99.5 },
    ]);
  });
});
