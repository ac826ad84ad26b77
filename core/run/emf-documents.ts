/**
 * CloudWatch Embedded Metric Format: metric data as structured log documents that CloudWatch Logs
 * turns into metrics, with no network route needed. One document per namespace, timestamp and
 * dimension set (dimension values are top-level members, so different values cannot share one),
 * ≤ 100 metrics and ≤ 100 values per metric in each; longer lists continue in further documents.
 */
import { EMF } from '../limits.js';
import type { MetricDatum, NamespacedDatum } from '../metric-data.js';
import { datumProblem, namespaceProblem, type RejectedDatum } from './put-metric-batches.js';

/** The metric directive of an EMF document (`_aws.CloudWatchMetrics[0]`). */
export interface EmfDirective {
  readonly Namespace: string;
  /** one dimension set: the datum's dimension names (`[[]]` for none) */
  readonly Dimensions: readonly (readonly string[])[];
  readonly Metrics: readonly {
    readonly Name: string;
    readonly Unit: string;
    readonly StorageResolution: number;
  }[];
}

/** One EMF document: `_aws` metadata, dimension values and metric values as top-level members. */
export interface EmfDocument {
  readonly _aws: { readonly Timestamp: number; readonly CloudWatchMetrics: readonly EmfDirective[] };
  readonly [member: string]: unknown;
}

export interface EmfDocuments {
  readonly documents: readonly EmfDocument[];
  /** datums CloudWatch would refuse, with the reason; they appear in no document */
  readonly rejected: readonly RejectedDatum[];
  /** datums that made it into documents */
  readonly accepted: number;
}

interface SeriesGroup {
  readonly namespace: string;
  readonly timestamp: number;
  readonly dimensions: MetricDatum['Dimensions'];
  readonly metrics: Map<string, { unit: string; resolution: number; values: number[] }>;
}

/**
 * Formats metric data as EMF documents; `now` (epoch ms) stamps datums without a `Timestamp`.
 *
 * @example
 * for (const document of emfDocuments(data, Date.now()).documents) console.log(JSON.stringify(document));
 */
export function emfDocuments(data: readonly NamespacedDatum[], now: number): EmfDocuments {
  const rejected: RejectedDatum[] = [];
  const groups = new Map<string, SeriesGroup>();
  let accepted = 0;
  for (const [index, datum] of data.entries()) {
    const reason = namespaceProblem(datum.Namespace) ?? datumProblem(datum) ?? memberClash(datum);
    if (reason !== undefined) {
      rejected.push({ datum, index, reason });
      continue;
    }
    const timestamp = datum.Timestamp ?? now;
    const key = JSON.stringify([datum.Namespace, timestamp, datum.Dimensions.map((d) => [d.Name, d.Value])]);
    let group = groups.get(key);
    if (!group) {
      group = { namespace: datum.Namespace, timestamp, dimensions: datum.Dimensions, metrics: new Map() };
      groups.set(key, group);
    }
    let metric = group.metrics.get(datum.MetricName);
    if (!metric) {
      metric = { unit: datum.Unit, resolution: datum.StorageResolution, values: [] };
      group.metrics.set(datum.MetricName, metric);
    }
    metric.values.push(...expandValues(datum));
    accepted++;
  }

  const documents: EmfDocument[] = [];
  for (const group of groups.values()) documents.push(...groupDocuments(group));
  return { documents, rejected, accepted };
}

// EMF has no counts: a value seen n times is listed n times
function expandValues(datum: MetricDatum): number[] {
  if (datum.Value !== undefined) return [datum.Value];
  const values: number[] = [];
  (datum.Values ?? []).forEach((value, i) => {
    const count = Math.max(1, Math.round(datum.Counts?.[i] ?? 1));
    for (let n = 0; n < count; n++) values.push(value);
  });
  return values;
}

// dimension values and metric values share the document's top level with `_aws`
function memberClash(datum: MetricDatum): string | undefined {
  const names = new Set(datum.Dimensions.map((d) => d.Name));
  if (datum.MetricName === '_aws' || names.has('_aws')) return `'_aws' is reserved in EMF documents`;
  if (names.has(datum.MetricName)) {
    return `metric '${datum.MetricName}' has the name of one of its dimensions, which EMF cannot tell apart`;
  }
  return undefined;
}

function groupDocuments(group: SeriesGroup): EmfDocument[] {
  // the k-th document of a metric holds its k-th slice of at most 100 values
  const slices: [string, { unit: string; resolution: number }, number[]][][] = [];
  for (const [name, metric] of group.metrics) {
    for (let start = 0, k = 0; start < metric.values.length; start += EMF.maxValuesPerMetric, k++) {
      slices[k] ??= [];
      slices[k]?.push([name, metric, metric.values.slice(start, start + EMF.maxValuesPerMetric)]);
    }
  }
  const dimensionMembers = Object.fromEntries(group.dimensions.map((d) => [d.Name, d.Value]));
  const documents: EmfDocument[] = [];
  for (const slice of slices) {
    for (let start = 0; start < slice.length; start += EMF.maxMetricsPerDocument) {
      const metrics = slice.slice(start, start + EMF.maxMetricsPerDocument);
      const document: EmfDocument = {
        _aws: {
          Timestamp: group.timestamp,
          CloudWatchMetrics: [
            {
              Namespace: group.namespace,
              Dimensions: [group.dimensions.map((d) => d.Name)],
              Metrics: metrics.map(([name, metric]) => ({
                Name: name,
                Unit: metric.unit,
                StorageResolution: metric.resolution,
              })),
            },
          ],
        },
        ...dimensionMembers,
        ...Object.fromEntries(
          metrics.map(([name, , values]) => [name, values.length === 1 ? values[0] : values]),
        ),
      };
      documents.push(document);
    }
  }
  return documents;
}
