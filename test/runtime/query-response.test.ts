// The check every query function response passes before the fan-out publishes anything of it: one
// case per rule, each a response that is well formed but for that one thing.
import { describe, expect, it } from 'vitest';
import type { QueryResponse } from '../../core/ports.js';
import { InvalidQueryResponseError, parseQueryResponse } from '../../core/run/query-response.js';

const WELL_FORMED: QueryResponse = {
  reports: [
    { probe: 'p1', database: 'db', ok: true, rows: 2, durationMs: 1.5 },
    {
      probe: 'p2',
      database: 'db',
      ok: false,
      rows: 0,
      durationMs: 3,
      error: { code: 'TIMEOUT', message: 'too slow' },
    },
  ],
  metrics: [
    {
      MetricName: 'M',
      Dimensions: [{ Name: 'Region', Value: 'eu' }],
      Unit: 'Count',
      StorageResolution: 60,
      Value: 7,
    },
    { MetricName: 'N', Dimensions: [], Unit: 'None', StorageResolution: 1, Values: [1, 2], Counts: [3, 1] },
  ],
  metricsPerReport: [2, 0],
  warnings: [{ database: 'db', code: 'WRITE_CAPABLE_USER', message: 'the user could write' }],
};

/** the well-formed response with one part replaced */
function withPart(part: Record<string, unknown>): unknown {
  return { ...WELL_FORMED, ...part };
}

/** the well-formed response with its first datum changed */
function withDatum(change: Record<string, unknown>): unknown {
  return withPart({ metrics: [{ ...WELL_FORMED.metrics[0], ...change }, WELL_FORMED.metrics[1]] });
}

/** the well-formed response with its second report changed */
function withReport(change: Record<string, unknown>): unknown {
  return withPart({ reports: [WELL_FORMED.reports[0], { ...WELL_FORMED.reports[1], ...change }] });
}

describe('parseQueryResponse', () => {
  it('returns a well-formed response, optional parts and all, as it is', () => {
    expect(parseQueryResponse(WELL_FORMED)).toBe(WELL_FORMED);
    expect(parseQueryResponse({ reports: [], metrics: [] })).toEqual({ reports: [], metrics: [] });
  });

  it.each([
    ['null', null],
    ['a list', [WELL_FORMED.reports, WELL_FORMED.metrics]],
    ['no metrics', { reports: WELL_FORMED.reports }],
    ['reports that are not a list', { reports: {}, metrics: [] }],
  ])('refuses %s as not { reports, metrics }', (_, answer) => {
    expect(() => parseQueryResponse(answer)).toThrow(
      new InvalidQueryResponseError('malformed response: expected { reports: [...], metrics: [...] }'),
    );
  });

  it.each([
    ['without a database', withReport({ database: undefined })],
    ['whose ok is not a boolean', withReport({ ok: 'yes' })],
    ['whose rows are not a number', withReport({ rows: '2' })],
    ['whose duration is not a number', withReport({ durationMs: null })],
    ['whose error has no message', withReport({ error: { code: 'TIMEOUT' } })],
  ])('refuses a report %s, naming its position', (_, answer) => {
    expect(() => parseQueryResponse(answer)).toThrow('malformed response: reports[1] is not a probe report');
  });

  it.each([
    ['whose value is a string', withDatum({ Value: 'NaN' })],
    ['whose value is infinite', withDatum({ Value: Number.POSITIVE_INFINITY })],
    ['without a value or values', withDatum({ Value: undefined })],
    ['with values but no counts', withDatum({ Value: undefined, Values: [1] })],
    [
      'with a value that is not finite among its values',
      withDatum({ Value: undefined, Values: [Number.NaN], Counts: [1] }),
    ],
    ['without a name', withDatum({ MetricName: undefined })],
    ['whose dimension value is a number', withDatum({ Dimensions: [{ Name: 'Region', Value: 1 }] })],
    ['whose dimensions are not a list', withDatum({ Dimensions: { Region: 'eu' } })],
    ['without a unit', withDatum({ Unit: undefined })],
    ['whose resolution is not a number', withDatum({ StorageResolution: '60' })],
  ])('refuses a datum %s, naming its position', (_, answer) => {
    expect(() => parseQueryResponse(answer)).toThrow('malformed response: metrics[0] is not a metric datum');
  });

  it.each([
    ['counts more datums than there are', [2, 1]],
    ['counts fewer datums than there are', [1, 0]],
    ['has a count per report but one', [2]],
    ['has a negative count', [3, -1]],
    ['has a fractional count', [1.5, 0.5]],
    ['is not a list', 2],
  ])('refuses a metricsPerReport that %s', (_, metricsPerReport) => {
    expect(() => parseQueryResponse(withPart({ metricsPerReport }))).toThrow(
      'malformed response: metricsPerReport does not count the metrics of each report',
    );
  });

  it.each([
    ['a code it does not know', [{ database: 'db', code: 'SOMETHING_ELSE', message: 'm' }]],
    ['no database', [{ code: 'WRITE_CAPABLE_USER', message: 'm' }]],
    ['no message', [{ database: 'db', code: 'WRITE_CAPABLE_USER' }]],
    ['the form of one warning, not a list', { database: 'db', code: 'WRITE_CAPABLE_USER', message: 'm' }],
  ])('refuses warnings with %s', (_, warnings) => {
    expect(() => parseQueryResponse(withPart({ warnings }))).toThrow(
      'malformed response: warnings is not a list of database warnings',
    );
  });
});
