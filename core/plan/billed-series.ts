/**
 * Billed metric series: every distinct metric name + dimension set in a namespace is one custom
 * metric, billed per month. A probe's metrics whose dimensions are all static give one series each;
 * a metric with a dimension from a column gives at least one and at most the probe's `maxSeries`.
 * Every run of a probe (each database of a fleet, each parameter map) publishes its own series, as
 * its Database and parameter dimensions tell them apart.
 */
import type { Config, HealthMode, ProbeConfig } from '../model.js';
import { parameterMaps, probeRuns } from '../probe-runs.js';

/** Health metrics per probe (and database, for a fleet) in `detailed` mode: ProbeSuccess, ProbeDuration, ProbeRows. */
export const DETAILED_HEALTH_METRICS_PER_PROBE = 3;

export interface ProbeSeries {
  readonly probe: string;
  /** one series per metric and run: what a probe costs when its column dimensions take one value each */
  readonly min: number;
  /** what `maxSeries` allows */
  readonly max: number;
}

/** The series of a probe on one database (all its parameter maps). */
export interface RunSeries extends ProbeSeries {
  /** the run's key: the probe's name, `name@database` for a fleet member */
  readonly key: string;
  readonly database: string;
}

export interface SeriesCount {
  readonly probes: readonly ProbeSeries[];
  /** per probe and database, in the probes' order */
  readonly runs: readonly RunSeries[];
  /** health metrics of the config's `health` mode */
  readonly health: number;
  /** probes' minimum plus health */
  readonly min: number;
  /** probes' maximum plus health */
  readonly max: number;
}

/** A probe's series on each of its databases. */
export function runSeries(probe: ProbeConfig): RunSeries[] {
  let max = 0;
  for (const metric of probe.metrics) {
    const sources = [...Object.values(probe.dimensions), ...Object.values(metric.dimensions)];
    max += sources.some((source) => 'column' in source) ? probe.maxSeries : 1;
  }
  const maps = parameterMaps(probe).length;
  return probeRuns(probe).map((run) => ({
    probe: probe.name,
    key: run.key,
    database: run.database,
    min: maps * probe.metrics.length,
    max: maps * max,
  }));
}

/** A probe's series on all its databases. */
export function probeSeries(probe: ProbeConfig): ProbeSeries {
  const runs = runSeries(probe);
  const sum = (pick: (run: RunSeries) => number) => runs.reduce((total, run) => total + pick(run), 0);
  return { probe: probe.name, min: sum((run) => run.min), max: sum((run) => run.max) };
}

/**
 * Health metrics billed for `runs` probe runs (a probe on each of its databases): `summary`
 * publishes ProbesFailed (one series); `detailed` publishes it too, plus three per run
 * (`Probe=<name>`, and `Database=<name>` for a fleet member); `none` nothing.
 */
export function healthSeries(health: HealthMode, runs: number): number {
  if (health === 'none') return 0;
  if (health === 'summary') return 1;
  return 1 + DETAILED_HEALTH_METRICS_PER_PROBE * runs;
}

export function countSeries(config: Config): SeriesCount {
  const runs = Object.values(config.probes).flatMap(runSeries);
  const probes = Object.values(config.probes).map(probeSeries);
  const health = healthSeries(config.health, runs.length);
  const sum = (pick: (p: ProbeSeries) => number) => probes.reduce((total, p) => total + pick(p), 0);
  return { probes, runs, health, min: sum((p) => p.min) + health, max: sum((p) => p.max) + health };
}
