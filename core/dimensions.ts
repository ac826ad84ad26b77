/** Which dimensions a metric has: what the plan prices and the run emits. */
import type { DimensionSource, MetricConfig, ProbeConfig } from './model.js';

/** A dimension's name and where its value comes from. */
export type DimensionEntry = readonly [string, DimensionSource];

/** The dimensions of one metric: the probe's, then the metric's own (which win on a clash), sorted by name. */
export function metricDimensions(probe: ProbeConfig, metric: MetricConfig): readonly DimensionEntry[] {
  const merged = new Map<string, DimensionSource>(Object.entries(probe.dimensions));
  for (const [name, source] of Object.entries(metric.dimensions)) merged.set(name, source);
  return [...merged.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
