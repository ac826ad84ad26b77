/**
 * The CloudWatch alarms a config deploys, each notifying `alarms.topicArn`:
 *
 * - Health (only with a topic): `ProbesFailed > 0` over the shortest schedule's period, missing data
 *   breaching (it is published on every run, so silence means the pipeline is down). With
 *   `health: detailed`, one Metrics Insights query alarm over every probe's `ProbeSuccess`, grouped
 *   by `Probe` (and one grouped by `Database` and `Probe` for fleets), each probe a contributor in
 *   ALARM while a run of it failed within the latest window: the shortest schedule's period times
 *   as many as span the longest one, at most the 3 hours such an alarm evaluates. A contributor that
 *   stops reporting goes to OK (CloudWatch's rule for query alarms): ProbesFailed reports silence.
 *   A query returns at most 500 series; sorted lowest first, those are the failing ones.
 * - Each metric's `alarm`: a metric alarm per series when every dimension value is known here
 *   (static values, a fleet's Database, the parameters); one Metrics Insights query alarm when a
 *   dimension comes from a column, each series it finds a contributor. Its period follows the
 *   probe's schedule (`schedule-period.ts`).
 *
 * Pure: `chasm plan` prices these alarms, validation counts them, the CDK app deploys them.
 */

import { metricDimensions } from '../dimensions.js';
import { HEALTH_METRICS, PROBE_DIMENSION } from '../health-metric-names.js';
import { CLOUDWATCH_ALARMS } from '../limits.js';
import type {
  AlarmStatistic,
  Config,
  MetricAlarmConfig,
  MetricConfig,
  MissingData,
  ProbeConfig,
} from '../model.js';
import {
  allRuns,
  DATABASE_DIMENSION,
  parameterMaps,
  probeRuns,
  runDimensionNames,
  runProbe,
} from '../probe-runs.js';
import { INSIGHTS_FUNCTIONS, metricsInsightsQuery } from './metrics-insights.js';
import { describePeriod, expressionPeriodSeconds, schedulePeriodSeconds } from './schedule-period.js';

export interface AlarmCondition {
  readonly comparison: 'GreaterThanThreshold' | 'LessThanThreshold';
  readonly threshold: number;
  readonly statistic: AlarmStatistic;
  readonly periodSeconds: number;
  /** EvaluationPeriods */
  readonly evaluationPeriods: number;
  /** DatapointsToAlarm */
  readonly datapointsToAlarm: number;
  readonly treatMissingData: MissingData;
}

/** The metric of probes.yaml an alarm watches: the probe and the metric's index in its list. */
export interface AlarmSource {
  readonly probe: string;
  readonly metric: number;
}

interface AlarmBase {
  /** unique among the config's alarms and derived from names only: what construct ids are made of */
  readonly key: string;
  /** the metric watched */
  readonly metricName: string;
  readonly description: string;
  readonly condition: AlarmCondition;
  /** absent for the health alarms */
  readonly source?: AlarmSource;
}

/** A metric alarm on one series: a metric name and every dimension's value. */
export interface SeriesAlarm extends AlarmBase {
  readonly kind: 'series';
  readonly namespace: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

/** A Metrics Insights query alarm: each series the query groups is a contributor. */
export interface QueryAlarm extends AlarmBase {
  readonly kind: 'query';
  readonly query: string;
  /** the dimensions whose values tell its contributors apart */
  readonly groupBy: readonly string[];
  /** metrics the query analyses (one per series, what it is billed by): expected and at most */
  readonly metrics: { readonly min: number; readonly max: number };
}

export type PlannedAlarm = SeriesAlarm | QueryAlarm;

/** Every alarm of a config: the health alarms first, then each metric's in the file's order. */
export function planAlarms(config: Config): PlannedAlarm[] {
  const alarms = config.alarms ? healthAlarms(config) : [];
  for (const probe of Object.values(config.probes)) {
    probe.metrics.forEach((metric, index) => {
      if (metric.alarm) alarms.push(...metricAlarms(config, probe, metric, index, metric.alarm));
    });
  }
  return alarms;
}

/** The period of a probe's alarms: that of its schedule. */
export function probePeriodSeconds(probe: Pick<ProbeConfig, 'schedule'>): number {
  return expressionPeriodSeconds(probe.schedule);
}

/** Whether a metric's alarm is a query alarm: some dimension's values come from a column. */
export function hasColumnDimension(probe: ProbeConfig, metric: MetricConfig): boolean {
  return metricDimensions(probe, metric).some(([, source]) => 'column' in source);
}

function healthAlarms(config: Config): PlannedAlarm[] {
  if (config.health === 'none') return [];
  const probes = Object.values(config.probes);
  const periods = probes.map(probePeriodSeconds);
  const shortest = Math.min(schedulePeriodSeconds(0), ...periods);
  const alarms: PlannedAlarm[] = [
    {
      kind: 'series',
      key: 'ProbesFailed',
      description: `Chasm ${config.namespace}: one or more probes failed, or no run reported (see the functions' logs)`,
      namespace: config.namespace,
      metricName: HEALTH_METRICS.probesFailed,
      dimensions: {},
      condition: {
        comparison: 'GreaterThanThreshold',
        threshold: 0,
        statistic: 'Maximum',
        periodSeconds: shortest,
        evaluationPeriods: 1,
        datapointsToAlarm: 1,
        treatMissingData: 'breaching',
      },
    },
  ];
  if (config.health !== 'detailed') return alarms;
  const window = healthWindow(shortest, Math.max(shortest, ...periods));
  const runs = allRuns(config.probes);
  const single = runs.filter((run) => !run.fleet).length;
  const fleet = runs.length - single;
  const schemas = [
    { key: 'ProbesFailing', names: [PROBE_DIMENSION], runs: single, what: 'probe' },
    {
      key: 'FleetProbesFailing',
      names: [DATABASE_DIMENSION, PROBE_DIMENSION],
      runs: fleet,
      what: 'probe of a fleet, per database,',
    },
  ];
  for (const schema of schemas.filter((s) => s.runs > 0)) {
    alarms.push({
      kind: 'query',
      key: schema.key,
      metricName: HEALTH_METRICS.probeSuccess,
      groupBy: schema.names,
      description: `Chasm ${config.namespace}: each ${schema.what} whose run failed within the latest ${describePeriod(window.periodSeconds * window.evaluationPeriods)} (ProbeSuccess < 1; see the functions' logs)`,
      query: metricsInsightsQuery({
        fn: 'MIN',
        namespace: config.namespace,
        metric: HEALTH_METRICS.probeSuccess,
        schema: schema.names,
        where: {},
        groupBy: schema.names,
        order: 'ASC',
      }),
      metrics: { min: schema.runs, max: schema.runs },
      condition: {
        comparison: 'LessThanThreshold',
        threshold: 1,
        statistic: 'Minimum',
        ...window,
        datapointsToAlarm: 1,
        // between two runs of a slower probe its series has no data: that is no failure
        treatMissingData: 'notBreaching',
      },
    });
  }
  return alarms;
}

/**
 * The health query alarm's periods: the shortest schedule's, as many as span the longest schedule's
 * period, within the 3 hours a query alarm evaluates; probes that run less often than that are
 * in ALARM for the window after a failed run.
 */
function healthWindow(shortest: number, longest: number) {
  const maxWindow = CLOUDWATCH_ALARMS.metricsInsightsWindowSeconds;
  const periodSeconds = Math.min(shortest, maxWindow);
  const evaluationPeriods = Math.max(
    1,
    Math.min(Math.ceil(longest / periodSeconds), Math.floor(maxWindow / periodSeconds)),
  );
  return { periodSeconds, evaluationPeriods };
}

function metricAlarms(
  config: Config,
  probe: ProbeConfig,
  metric: MetricConfig,
  index: number,
  alarm: MetricAlarmConfig,
): PlannedAlarm[] {
  const periodSeconds = probePeriodSeconds(probe);
  const condition: AlarmCondition = {
    comparison: alarm.comparison === 'above' ? 'GreaterThanThreshold' : 'LessThanThreshold',
    threshold: alarm.threshold,
    statistic: alarm.statistic,
    periodSeconds,
    evaluationPeriods: alarm.for,
    datapointsToAlarm: alarm.datapoints,
    treatMissingData: alarm.missing,
  };
  const source = { probe: probe.name, metric: index };
  const key = `${probe.name}/${metricKey(metric)}`;
  const when = `${alarm.comparison} ${alarm.threshold} (${alarm.statistic}, ${alarm.datapoints} of ${alarm.for} × ${describePeriod(periodSeconds)})`;
  if (hasColumnDimension(probe, metric)) {
    const dimensions = metricDimensions(probe, metric);
    const where: Record<string, string> = {};
    for (const [name, from] of dimensions) if ('value' in from) where[name] = from.value;
    const varying = [
      ...dimensions.filter(([, from]) => 'column' in from).map(([name]) => name),
      ...runDimensionNames(probe),
    ].sort(compare);
    const series = probeRuns(probe).length * parameterMaps(probe).length;
    return [
      {
        kind: 'query',
        key,
        metricName: metric.name,
        groupBy: varying,
        source,
        description: truncated(
          `Chasm ${config.namespace}: ${metric.name} of probe '${probe.name}' (each ${varying.join(', ')}) ${when}`,
        ),
        query: metricsInsightsQuery({
          fn: INSIGHTS_FUNCTIONS[alarm.statistic],
          namespace: config.namespace,
          metric: metric.name,
          schema: [...dimensions.map(([name]) => name), ...runDimensionNames(probe)].sort(compare),
          where,
          groupBy: varying,
          order: alarm.comparison === 'above' ? 'DESC' : 'ASC',
        }),
        metrics: { min: series, max: series * probe.maxSeries },
        condition,
      },
    ];
  }
  const alarms: SeriesAlarm[] = [];
  for (const run of probeRuns(probe)) {
    for (const map of parameterMaps(probe)) {
      // a run's Database and parameters become static dimensions of its own probe
      const dimensions: Record<string, string> = {};
      for (const [name, from] of metricDimensions(runProbe(probe, run.database, map), metric)) {
        if ('value' in from) dimensions[name] = from.value;
      }
      const series = runDimensionNames(probe)
        .map((name) => `${name}=${dimensions[name] ?? ''}`)
        .join(', ');
      alarms.push({
        kind: 'series',
        key: series === '' ? key : `${key}/${series}`,
        source,
        description: truncated(
          `Chasm ${config.namespace}: ${metric.name} of probe '${probe.name}'${series === '' ? '' : ` (${series})`} ${when}`,
        ),
        namespace: config.namespace,
        metricName: metric.name,
        dimensions,
        condition,
      });
    }
  }
  return alarms;
}

/** A metric's name and its own dimensions (`Name=value` or a column's `Name`): unique within its probe. */
function metricKey(metric: MetricConfig): string {
  const own = Object.entries(metric.dimensions)
    .sort(([a], [b]) => compare(a, b))
    .map(([name, from]) => ('value' in from ? `${name}=${from.value}` : name));
  return [metric.name, ...own].join('/');
}

function truncated(description: string): string {
  return description.slice(0, CLOUDWATCH_ALARMS.maxDescriptionLength);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
