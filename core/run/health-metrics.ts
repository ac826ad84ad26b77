/**
 * Health metrics ("visibility, priced"): what a run publishes about itself, as the
 * config's `health` says. Every billed metric costs money, so `summary` is one metric whatever
 * the config's size.
 */

import { HEALTH_METRICS, PROBE_DIMENSION } from '../health-metric-names.js';
import type { Dimension, MetricDatum, ProbeReport } from '../metric-data.js';
import type { HealthMode } from '../model.js';
import { DATABASE_DIMENSION } from '../run-keys.js';

/** Whether a report is about a member of a fleet (whose health metrics also carry `Database`). */
export type FleetMember = (report: ProbeReport) => boolean;

const notInFleet: FleetMember = () => false;

/** `Probe=<name>`, with `Database=<name>` first for a fleet member (dimensions sorted by name). */
function healthDimensions(report: ProbeReport, fleet: FleetMember): Dimension[] {
  const probe = { Name: PROBE_DIMENSION, Value: report.probe };
  return fleet(report) ? [{ Name: DATABASE_DIMENSION, Value: report.database }, probe] : [probe];
}

/**
 * `summary`: one `ProbesFailed` (0 when all is well, so missing data means the pipeline is down);
 * `detailed`: that plus `ProbeSuccess`, `ProbeDuration` and `ProbeRows` per report, that is per
 * probe (dimension `Probe`) and, for a fleet, per database (`Database` too); `none`: nothing.
 */
export function healthMetrics(
  mode: HealthMode,
  reports: readonly ProbeReport[],
  fleet: FleetMember = notInFleet,
): MetricDatum[] {
  if (mode === 'none') return [];
  const failed = reports.filter((report) => !report.ok).length;
  const data: MetricDatum[] = [
    {
      MetricName: HEALTH_METRICS.probesFailed,
      Dimensions: [],
      Unit: 'Count',
      StorageResolution: 60,
      Value: failed,
    },
  ];
  if (mode === 'summary') return data;
  for (const report of reports) {
    const Dimensions = healthDimensions(report, fleet);
    data.push(
      {
        MetricName: HEALTH_METRICS.probeSuccess,
        Dimensions,
        Unit: 'Count',
        StorageResolution: 60,
        Value: report.ok ? 1 : 0,
      },
      {
        MetricName: HEALTH_METRICS.probeDuration,
        Dimensions,
        Unit: 'Milliseconds',
        StorageResolution: 60,
        Value: report.durationMs,
      },
      {
        MetricName: HEALTH_METRICS.probeRows,
        Dimensions,
        Unit: 'Count',
        StorageResolution: 60,
        Value: report.rows,
      },
    );
  }
  return data;
}

/**
 * Health metrics that correct a tick's, already published, once publishing failed `failed` probes
 * that had succeeded: a second `ProbesFailed` with the full count (alarms and the dashboard read
 * its Maximum) and, with `detailed`, `ProbeSuccess` 0 for each of them (read by its Minimum).
 * Durations and rows stand as published.
 */
export function healthCorrections(
  mode: HealthMode,
  reports: readonly ProbeReport[],
  failed: readonly ProbeReport[],
  fleet: FleetMember = notInFleet,
): MetricDatum[] {
  if (mode === 'none' || failed.length === 0) return [];
  const data: MetricDatum[] = [
    {
      MetricName: HEALTH_METRICS.probesFailed,
      Dimensions: [],
      Unit: 'Count',
      StorageResolution: 60,
      Value: reports.filter((report) => !report.ok).length,
    },
  ];
  if (mode === 'summary') return data;
  for (const report of failed) {
    data.push({
      MetricName: HEALTH_METRICS.probeSuccess,
      Dimensions: healthDimensions(report, fleet),
      Unit: 'Count',
      StorageResolution: 60,
      Value: 0,
    });
  }
  return data;
}
