/**
 * Batching metric data into the fewest PutMetricData requests CloudWatch accepts: grouped per
 * namespace, ≤ 1000 datums and ≤ 1 MB of body each, several values of a series as
 * `Values`/`Counts` (≤ 150 per datum). Every datum is checked first against the rules CloudWatch
 * documents; a bad one is set aside with its reason and never joins a request, so it cannot make
 * CloudWatch reject the others. Each request keeps, per datum, the position of the datum it came
 * from, so whatever CloudWatch still refuses is traced back to its source.
 */
import { CLOUDWATCH, CLOUDWATCH_UNITS, STORAGE_RESOLUTIONS } from '../limits.js';
import type { MetricDatum, NamespacedDatum } from '../metric-data.js';

/** One PutMetricData request, ready for the SDK (after `Timestamp` becomes a `Date`). */
export interface PutMetricRequest {
  readonly Namespace: string;
  readonly MetricData: readonly MetricDatum[];
  /** for each of `MetricData`, the position in the planned data of the datum it came from */
  readonly sources: readonly number[];
  /** a conservative estimate of the request body's size before compression, in bytes */
  readonly bytes: number;
}

/** A datum that would make CloudWatch reject its whole request. */
export interface RejectedDatum {
  readonly datum: NamespacedDatum;
  /** its position in the data given */
  readonly index: number;
  readonly reason: string;
}

export interface PutMetricBatches {
  readonly requests: readonly PutMetricRequest[];
  readonly rejected: readonly RejectedDatum[];
}

export interface BatchLimits {
  readonly maxDatumsPerRequest: number;
  readonly maxRequestBytes: number;
  readonly maxValuesPerDatum: number;
}

const DEFAULT_LIMITS: BatchLimits = {
  maxDatumsPerRequest: CLOUDWATCH.maxDatumsPerRequest,
  maxRequestBytes: CLOUDWATCH.maxRequestBytes,
  maxValuesPerDatum: CLOUDWATCH.maxValuesPerDatum,
};

// room for what the SDK may add around the data (other members, separators) and rounding
const ENVELOPE_SLACK_BYTES = 1024;
const PER_DATUM_SLACK_BYTES = 8;

const NAMESPACE_PATTERN = /^[0-9A-Za-z.\-_/#: ]+$/;
const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;
const UNITS: ReadonlySet<string> = new Set(CLOUDWATCH_UNITS);
const RESOLUTIONS: ReadonlySet<number> = new Set(STORAGE_RESOLUTIONS);
const encoder = new TextEncoder();

/**
 * Splits metric data into PutMetricData requests, the fewest the limits allow.
 *
 * @example
 * const { requests, rejected } = planPutMetricBatches(data);
 * for (const request of requests) await client.send(new PutMetricDataCommand(toSdk(request)));
 */
export function planPutMetricBatches(
  data: readonly NamespacedDatum[],
  limits: BatchLimits = DEFAULT_LIMITS,
): PutMetricBatches {
  const rejected: RejectedDatum[] = [];
  const byNamespace = new Map<string, { datum: MetricDatum; source: number }[]>();
  data.forEach((datum, index) => {
    const reason = namespaceProblem(datum.Namespace) ?? datumProblem(datum);
    if (reason !== undefined) {
      rejected.push({ datum, index, reason });
      return;
    }
    let list = byNamespace.get(datum.Namespace);
    if (!list) {
      list = [];
      byNamespace.set(datum.Namespace, list);
    }
    for (const part of splitValues(stripNamespace(datum), limits.maxValuesPerDatum)) {
      list.push({ datum: part, source: index });
    }
  });

  const requests: PutMetricRequest[] = [];
  for (const [namespace, datums] of byNamespace) {
    const envelope =
      byteLength(JSON.stringify({ Namespace: namespace, MetricData: [] })) + ENVELOPE_SLACK_BYTES;
    let current: MetricDatum[] = [];
    let sources: number[] = [];
    let bytes = envelope;
    for (const { datum, source } of datums) {
      const size = estimateDatumBytes(datum);
      if (envelope + size > limits.maxRequestBytes) {
        rejected.push({
          datum: { ...datum, Namespace: namespace },
          index: source,
          reason: `datum '${datum.MetricName}' alone takes ${size} bytes, more than a request may carry (${limits.maxRequestBytes})`,
        });
        continue;
      }
      if (current.length >= limits.maxDatumsPerRequest || bytes + size > limits.maxRequestBytes) {
        requests.push({ Namespace: namespace, MetricData: current, sources, bytes });
        current = [];
        sources = [];
        bytes = envelope;
      }
      current.push(datum);
      sources.push(source);
      bytes += size;
    }
    if (current.length > 0) requests.push({ Namespace: namespace, MetricData: current, sources, bytes });
  }
  return { requests, rejected };
}

/** Why CloudWatch would refuse this namespace, or `undefined` when it is acceptable. */
export function namespaceProblem(namespace: string): string | undefined {
  if (namespace.length === 0 || namespace.length > CLOUDWATCH.maxNamespaceLength) {
    return `namespace '${namespace}' must be 1-${CLOUDWATCH.maxNamespaceLength} characters`;
  }
  if (!NAMESPACE_PATTERN.test(namespace)) {
    return `namespace '${namespace}' may hold only letters, digits and . - _ / # : space`;
  }
  if (namespace.startsWith('AWS/')) return `namespace '${namespace}' is reserved for AWS services`;
  return undefined;
}

/** Why CloudWatch would refuse this datum (names, dimensions, unit, values), or `undefined`. */
export function datumProblem(datum: MetricDatum): string | undefined {
  const name = datum.MetricName;
  if (!isName(name)) return `metric name '${name}' must be 1-255 printable ASCII characters, not only spaces`;
  if (!UNITS.has(datum.Unit)) return `metric '${name}' has unknown unit '${datum.Unit}'`;
  if (!RESOLUTIONS.has(datum.StorageResolution)) {
    return `metric '${name}' has storage resolution ${datum.StorageResolution}; use 1 or 60`;
  }
  if (datum.Dimensions.length > CLOUDWATCH.maxDimensions) {
    return `metric '${name}' has ${datum.Dimensions.length} dimensions; at most ${CLOUDWATCH.maxDimensions}`;
  }
  const seen = new Set<string>();
  for (const dimension of datum.Dimensions) {
    if (!isName(dimension.Name) || dimension.Name.startsWith(':')) {
      return `metric '${name}' has dimension name '${dimension.Name}': 1-255 printable ASCII characters, not only spaces, not starting with ':'`;
    }
    if (seen.has(dimension.Name)) return `metric '${name}' repeats dimension '${dimension.Name}'`;
    seen.add(dimension.Name);
    if (typeof dimension.Value !== 'string' || dimension.Value.trim().length === 0) {
      return `metric '${name}' has an empty value for dimension '${dimension.Name}'`;
    }
    if (dimension.Value.length > CLOUDWATCH.maxDimensionValueLength) {
      return `metric '${name}' has a value of dimension '${dimension.Name}' longer than ${CLOUDWATCH.maxDimensionValueLength} characters`;
    }
    if (!PRINTABLE_ASCII.test(dimension.Value)) {
      return `metric '${name}' has a value of dimension '${dimension.Name}' with characters other than printable ASCII`;
    }
  }
  if (datum.Value !== undefined && datum.Values !== undefined) {
    return `metric '${name}' has both Value and Values`;
  }
  if (datum.Value !== undefined) return valueProblem(name, datum.Value);
  if (datum.Values === undefined || datum.Values.length === 0) return `metric '${name}' has no value`;
  if (datum.Counts !== undefined && datum.Counts.length !== datum.Values.length) {
    return `metric '${name}' has ${datum.Values.length} values but ${datum.Counts.length} counts`;
  }
  for (const value of datum.Values) {
    const problem = valueProblem(name, value);
    if (problem !== undefined) return problem;
  }
  for (const count of datum.Counts ?? []) {
    if (typeof count !== 'number' || !Number.isFinite(count) || count < 0) {
      return `metric '${name}' has count ${String(count)}; counts are finite and not negative`;
    }
  }
  return undefined;
}

function valueProblem(name: string, value: unknown): string | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return `metric '${name}' has value ${String(value)}, not a finite number`;
  }
  const magnitude = Math.abs(value);
  if (magnitude > CLOUDWATCH.maxValue) return `metric '${name}' has value ${value}, beyond ±2^360`;
  if (magnitude !== 0 && magnitude < CLOUDWATCH.minMagnitude) {
    return `metric '${name}' has value ${value}, closer to 0 than 2^-260`;
  }
  return undefined;
}

function isName(name: unknown): name is string {
  return (
    typeof name === 'string' &&
    name.length <= CLOUDWATCH.maxNameLength &&
    PRINTABLE_ASCII.test(name) &&
    name.trim().length > 0
  );
}

function stripNamespace(datum: NamespacedDatum): MetricDatum {
  const { Namespace: _namespace, ...rest } = datum;
  return rest;
}

/**
 * Merges repeated values (CloudWatch expects each value once, with its count) and cuts a series
 * with more distinct values than one datum may carry into several datums of the same series.
 */
function splitValues(datum: MetricDatum, maxValues: number): MetricDatum[] {
  if (datum.Values === undefined) return [datum];
  const counts = new Map<number, number>();
  datum.Values.forEach((value, i) => {
    counts.set(value, (counts.get(value) ?? 0) + (datum.Counts?.[i] ?? 1));
  });
  const entries = [...counts];
  const { Values: _values, Counts: _counts, ...series } = datum;
  const out: MetricDatum[] = [];
  for (let start = 0; start < entries.length; start += maxValues) {
    const chunk = entries.slice(start, start + maxValues);
    out.push({ ...series, Values: chunk.map(([v]) => v), Counts: chunk.map(([, c]) => c) });
  }
  return out;
}

/** The datum's bytes in an AWS JSON 1.0 body (timestamps as epoch seconds), plus a separator and slack. */
export function estimateDatumBytes(datum: MetricDatum): number {
  const wire = datum.Timestamp === undefined ? datum : { ...datum, Timestamp: datum.Timestamp / 1000 };
  return byteLength(JSON.stringify(wire)) + PER_DATUM_SLACK_BYTES;
}

function byteLength(text: string): number {
  return encoder.encode(text).length;
}
