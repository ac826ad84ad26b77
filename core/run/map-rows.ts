/**
 * Rows → metric data (the result semantics of probes.yaml). Pure: the rows exactly as the drivers
 * return them go in, CloudWatch `MetricDatum`s come out, or a `ProbeError` that names the probe,
 * its database, the column, the row and the value.
 *
 * Decisions beyond the contract:
 * - a value whose magnitude is below CloudWatch's smallest (2^-260) but not 0 becomes 0: it is
 *   within ±2^360, so the contract calls it valid, and CloudWatch would reject it as it is;
 * - a column named by the config but absent from the result is `QUERY_FAILED` (the SQL and the
 *   config disagree; no value is at fault);
 * - a dimension value must be what CloudWatch accepts: 1–1024 printable ASCII characters, not all
 *   whitespace; anything else is `INVALID_VALUE`, so it never reaches (and fails) a publish batch;
 * - `maxSeries` bounds the distinct dimension sets of each metric (a billed metric each).
 */

import { type DimensionEntry, metricDimensions } from '../dimensions.js';
import { CLOUDWATCH } from '../limits.js';
import type { Dimension, MetricDatum } from '../metric-data.js';
import type { MetricConfig, ProbeConfig } from '../model.js';
import type { Row } from '../ports.js';
import { ProbeError } from '../probe-error.js';
import { runLabel } from '../probe-runs.js';

/**
 * Maps the rows of one run of a probe to its metric data; throws a `ProbeError` for the first bad
 * value. A fleet member's or a parameter map's run is a probe of its own (`runProbe`), with the
 * dimensions it adds among its static ones.
 */
export function mapRows(probe: ProbeConfig, rows: readonly Row[]): MetricDatum[] {
  const firstRow = rows[0];
  if (firstRow === undefined) return emptyResult(probe);
  const layout = layoutOf(probe);
  checkColumns(probe, layout.columns, firstRow);
  const seriesOfGroup = layout.groups.map((group) => collectSeries(probe, group, rows));
  // metric by metric, each one's series in order of first appearance
  const data: MetricDatum[] = [];
  for (const { metric, group, slot } of layout.metrics) {
    for (const series of seriesOfGroup[group] ?? []) {
      const held = series.counts[slot];
      if (held !== undefined) toDatums(metric, series.dimensions, held, data);
    }
  }
  return data;
}

/** Metrics split by the same dimensions: their values come from one pass over the rows. */
interface MetricGroup {
  /** sorted by name */
  readonly dimensions: readonly DimensionEntry[];
  /** per dimension, in that order: the column its value comes from, or the dimension itself when static */
  readonly parts: readonly DimensionPart[];
  readonly metrics: readonly MetricConfig[];
}

type DimensionPart =
  | { readonly name: string; readonly column: string }
  // one object shared by every datum that carries it
  | { readonly name: string; readonly column?: undefined; readonly fixed: Dimension };

/** What a probe's config says about its rows, worked out once per probe (configs are frozen). */
interface Layout {
  /** every column the probe reads */
  readonly columns: readonly string[];
  readonly groups: readonly MetricGroup[];
  /** the probe's metrics in config order: which group each is in, and its place there */
  readonly metrics: readonly {
    readonly metric: MetricConfig;
    readonly group: number;
    readonly slot: number;
  }[];
}

const layouts = new WeakMap<ProbeConfig, Layout>();

function layoutOf(probe: ProbeConfig): Layout {
  let layout = layouts.get(probe);
  if (layout) return layout;
  const columns = new Set<string>();
  const groups: { dimensions: readonly DimensionEntry[]; parts: DimensionPart[]; metrics: MetricConfig[] }[] =
    [];
  const groupOfKey = new Map<string, number>();
  const metrics: Layout['metrics'][number][] = [];
  for (const metric of probe.metrics) {
    const dimensions = metricDimensions(probe, metric);
    columns.add(metric.column);
    for (const [, source] of dimensions) if ('column' in source) columns.add(source.column);
    const key = JSON.stringify(dimensions);
    let group = groupOfKey.get(key);
    if (group === undefined) {
      const parts = dimensions.map(
        ([name, source]): DimensionPart =>
          'column' in source
            ? { name, column: source.column }
            : { name, fixed: { Name: name, Value: source.value } },
      );
      group = groups.push({ dimensions, parts, metrics: [] }) - 1;
      groupOfKey.set(key, group);
    }
    const members = groups[group]?.metrics ?? [];
    metrics.push({ metric, group, slot: members.push(metric) - 1 });
  }
  layout = { columns: [...columns], groups, metrics };
  layouts.set(probe, layout);
  return layout;
}

function emptyResult(probe: ProbeConfig): MetricDatum[] {
  if (probe.onEmpty === 'skip') return [];
  const data: MetricDatum[] = [];
  for (const metric of probe.metrics) {
    const dimensions = metricDimensions(probe, metric);
    // a metric split by a column has no series to give a 0 to
    if (dimensions.some(([, source]) => 'column' in source)) continue;
    data.push({
      MetricName: metric.name,
      Dimensions: dimensions.map(([name, source]) => ({
        Name: name,
        Value: (source as { value: string }).value,
      })),
      Unit: metric.unit,
      StorageResolution: metric.resolution,
      Value: 0,
    });
  }
  return data;
}

// every row of a result has the same columns, so the first row tells which are missing
function checkColumns(probe: ProbeConfig, columns: readonly string[], row: Row): void {
  for (const column of columns) {
    if (!Object.hasOwn(row, column)) {
      const present = Object.keys(row);
      throw new ProbeError(
        'QUERY_FAILED',
        `${probeLabel(probe)}: column '${column}' is not in the result (columns: ${present.join(', ') || 'none'})`,
      );
    }
  }
}

/** One dimension set of a group: its dimensions (shared by its metrics' datums) and each metric's values. */
interface Series {
  /** its dimension values, joined */
  readonly key: string;
  readonly dimensions: readonly Dimension[];
  /**
   * Per metric of the group, its values in this series: none yet (undefined), one value seen once
   * (the number itself: most series have just that), or several.
   */
  readonly counts: (number | ValueCounts | undefined)[];
}

/** Distinct values in order of first appearance, each with how many rows gave it. */
class ValueCounts {
  // sized as they are: an array that starts empty grows to room for 17 on its first value
  readonly values: number[];
  readonly counts: number[];
  /** value → position, built once there are too many values to search */
  private index: Map<number, number> | undefined;

  constructor(first: number) {
    this.values = [first];
    this.counts = [1];
  }

  add(value: number): this {
    const at = this.positionOf(value);
    if (at >= 0) {
      this.counts[at] = (this.counts[at] ?? 0) + 1;
      return this;
    }
    this.index?.set(value, this.values.length);
    this.values.push(value);
    this.counts.push(1);
    return this;
  }

  private positionOf(value: number): number {
    if (this.index) return this.index.get(value) ?? -1;
    // most series hold a value or a few: a search beats a map
    if (this.values.length < 16) return this.values.indexOf(value);
    this.index = new Map(this.values.map((known, position) => [known, position]));
    return this.index.get(value) ?? -1;
  }
}

/** The series of one group of metrics, in order of first appearance. */
function collectSeries(probe: ProbeConfig, group: MetricGroup, rows: readonly Row[]): Series[] {
  const { parts, metrics } = group;
  const series: Series[] = [];
  // most probes give a few series: a search beats a map, which is built only for many
  let byKey: Map<string, Series> | undefined;
  const values: string[] = new Array(parts.length);
  for (let index = 0; index < rows.length; index++) {
    const row = rows[index] as Row;
    // dimension values are printable ASCII, so a control character separates them safely
    let key = '';
    for (let d = 0; d < parts.length; d++) {
      const part = parts[d] as DimensionPart;
      const value =
        part.column === undefined
          ? part.fixed.Value
          : dimensionValue(probe, part.column, row[part.column], index);
      values[d] = value;
      key = d === 0 ? value : `${key}\u0001${value}`;
    }
    // the series exists even when its values are skipped: it still counts against maxSeries
    let entry = byKey ? byKey.get(key) : findSeries(series, key);
    if (!entry) {
      const dimensions = parts.map((part, d) =>
        part.column === undefined ? part.fixed : { Name: part.name, Value: values[d] ?? '' },
      );
      entry = { key, dimensions, counts: new Array(metrics.length) };
      series.push(entry);
      if (byKey) byKey.set(key, entry);
      else if (series.length > 8) byKey = new Map(series.map((known) => [known.key, known]));
      if (series.length > probe.maxSeries) {
        throw new ProbeError(
          'TOO_MANY_SERIES',
          `${probeLabel(probe)}: metric '${metrics[0]?.name}' has more than ${probe.maxSeries} distinct dimension sets (maxSeries: ${probe.maxSeries}); row ${index} adds ${formatDimensions(dimensions)}`,
        );
      }
    }
    for (let slot = 0; slot < metrics.length; slot++) {
      const metric = metrics[slot] as MetricConfig;
      const value = metricValue(probe, metric, row[metric.column], index);
      if (value === undefined) continue;
      const held = entry.counts[slot];
      if (held === undefined) entry.counts[slot] = value;
      else if (typeof held === 'number') entry.counts[slot] = new ValueCounts(held).add(value);
      else held.add(value);
    }
  }
  return series;
}

function findSeries(series: readonly Series[], key: string): Series | undefined {
  for (const candidate of series) if (candidate.key === key) return candidate;
  return undefined;
}

function toDatums(
  metric: MetricConfig,
  dimensions: readonly Dimension[],
  held: number | ValueCounts,
  into: MetricDatum[],
): void {
  const { name: MetricName, unit: Unit, resolution: StorageResolution } = metric;
  if (typeof held === 'number') {
    into.push({ MetricName, Dimensions: dimensions, Unit, StorageResolution, Value: held });
    return;
  }
  const { values, counts } = held;
  // CloudWatch takes at most 150 distinct values per datum: more become more datums of the same series
  const chunk = CLOUDWATCH.maxValuesPerDatum;
  for (let start = 0; start < values.length; start += chunk) {
    const whole = start === 0 && values.length <= chunk;
    into.push({
      MetricName,
      Dimensions: dimensions,
      Unit,
      StorageResolution,
      Values: whole ? values : values.slice(start, start + chunk),
      Counts: whole ? counts : counts.slice(start, start + chunk),
    });
  }
}

/** A metric's value from one row; `undefined` when a NULL is skipped. */
function metricValue(
  probe: ProbeConfig,
  metric: MetricConfig,
  raw: unknown,
  index: number,
): number | undefined {
  if (raw === null || raw === undefined) {
    if (probe.onNull === 'skip') return undefined;
    if (probe.onNull === 'zero') return 0;
    throw new ProbeError(
      'INVALID_VALUE',
      `${probeLabel(probe)}: column '${metric.column}' is NULL in row ${index} (onNull: error)`,
    );
  }
  const value = toNumber(raw);
  if (value === undefined || !Number.isFinite(value) || Math.abs(value) > CLOUDWATCH.maxValue) {
    throw new ProbeError(
      'INVALID_VALUE',
      `${probeLabel(probe)}: column '${metric.column}' in row ${index} holds ${describeValue(raw)}, not a finite number within ±2^360`,
    );
  }
  // below CloudWatch's smallest magnitude: indistinguishable from 0, and 0 is accepted
  if (Math.abs(value) < CLOUDWATCH.minMagnitude) return 0;
  return value;
}

const NUMERIC_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

// what drivers return for numbers: number, bigint, numeric/decimal text, booleans (or 0/1 from mysql2)
function toNumber(raw: unknown): number | undefined {
  if (typeof raw === 'number') return raw;
  if (typeof raw === 'bigint') return Number(raw);
  if (typeof raw === 'boolean') return raw ? 1 : 0;
  if (typeof raw === 'string') {
    const text = raw.trim();
    return NUMERIC_TEXT.test(text) ? Number(text) : undefined;
  }
  return undefined;
}

// printable ASCII only, as CloudWatch requires of dimension values
const DIMENSION_VALUE = /^[\x20-\x7e]+$/;

function dimensionValue(probe: ProbeConfig, column: string, raw: unknown, index: number): string {
  const value = toDimensionText(raw);
  const problem =
    value === undefined
      ? 'which cannot be a dimension value'
      : value.trim() === ''
        ? 'an empty dimension value'
        : value.length > CLOUDWATCH.maxDimensionValueLength
          ? `over ${CLOUDWATCH.maxDimensionValueLength} characters (${value.length})`
          : !DIMENSION_VALUE.test(value)
            ? 'which has characters other than printable ASCII'
            : undefined;
  if (problem !== undefined || value === undefined) {
    throw new ProbeError(
      'INVALID_VALUE',
      `${probeLabel(probe)}: dimension column '${column}' in row ${index} holds ${describeValue(raw)}, ${problem}`,
    );
  }
  return value;
}

function toDimensionText(raw: unknown): string | undefined {
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'number') return Number.isFinite(raw) ? String(raw) : undefined;
  if (typeof raw === 'bigint' || typeof raw === 'boolean') return String(raw);
  if (raw instanceof Date) return Number.isNaN(raw.getTime()) ? undefined : raw.toISOString();
  return undefined;
}

// a probe run's config (`runProbe`) names one database and at most one parameter map
function probeLabel(probe: ProbeConfig): string {
  const database = typeof probe.database === 'string' ? probe.database : probe.database.join(', ');
  return runLabel(probe.name, database, probe.parameters.length === 1 ? probe.parameters[0] : {});
}

function formatDimensions(dimensions: readonly Dimension[]): string {
  return `{${dimensions.map((dimension) => `${dimension.Name}=${dimension.Value}`).join(', ')}}`;
}

/** A value for an error message: its kind and a short excerpt, never a whole long cell. */
export function describeValue(raw: unknown): string {
  if (raw === null) return 'NULL';
  if (raw === undefined) return 'nothing';
  if (typeof raw === 'string') {
    const excerpt = raw.length > 60 ? `${raw.slice(0, 60)}…` : raw;
    return `text ${JSON.stringify(excerpt)}`;
  }
  if (typeof raw === 'number' || typeof raw === 'bigint' || typeof raw === 'boolean') return String(raw);
  if (raw instanceof Date) return `a date (${Number.isNaN(raw.getTime()) ? 'invalid' : raw.toISOString()})`;
  if (raw instanceof Uint8Array) return `binary data (${raw.length} bytes)`;
  return `a ${Array.isArray(raw) ? 'list' : typeof raw}`;
}
