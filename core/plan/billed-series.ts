/**
 * Billed metric series: every distinct metric name + dimension set in a namespace is one custom
 * metric, billed per month. A probe's metrics whose dimensions are all static give one series each;
 * a metric with a dimension from a column gives at least one and at most the probe's `maxSeries`.
 */
import type { Config, HealthMode, ProbeConfig } from '../model.js';

/** Health metrics per probe in `detailed` mode: ProbeSuccess, ProbeDuration, ProbeRows. */
export const DETAILED_HEALTH_METRICS_PER_PROBE = 3;

export interface ProbeSeries {
  readonly probe: string;
  /** one series per metric: what a probe costs when its column dimensions take one value each */
  readonly min: number;
  /** what `maxSeries` allows */
  readonly max: number;
}

export interface SeriesCount {
  readonly probes: readonly ProbeSeries[];
  /** health metrics of the config's `health` mode */
  readonly health: number;
  /** probes' minimum plus health */
  readonly min: number;
  /** probes' maximum plus health */
  readonly max: number;
}

export function probeSeries(probe: ProbeConfig): ProbeSeries {
  let max = 0;
  for (const metric of probe.metrics) {
    const sources = [...Object.values(probe.dimensions), ...Object.values(metric.dimensions)];
    max += sources.some((source) => 'column' in source) ? probe.maxSeries : 1;
  }
  return { probe: probe.name, min: probe.metrics.length, max };
}

/**
 * Health metrics billed for `probes` probes: `summary` publishes ProbesFailed (one series);
 * `detailed` publishes it too, plus three per probe (dimension `Probe=<name>`); `none` nothing.
 */
export function healthSeries(health: HealthMode, probes: number): number {
  if (health === 'none') return 0;
  if (health === 'summary') return 1;
  return 1 + DETAILED_HEALTH_METRICS_PER_PROBE * probes;
}

export function countSeries(config: Config): SeriesCount {
  const probes = Object.values(config.probes).map(probeSeries);
  const health = healthSeries(config.health, probes.length);
  const sum = (pick: (p: ProbeSeries) => number) => probes.reduce((total, p) => total + pick(p), 0);
  return { probes, health, min: sum((p) => p.min) + health, max: sum((p) => p.max) + health };
}
