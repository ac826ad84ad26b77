/**
 * What publishing lost, traced back to the probes that produced it: a sink reports the positions
 * of the datums it could not publish (`PublishError.indexes`), the fan-out knows which probe each
 * position came from, and a probe that lost any of its datums did not succeed. Its report says how
 * many, with the sink's message (CloudWatch's own, for a datum it refused).
 */
import type { ProbeReport } from '../metric-data.js';
import type { PublishError } from '../ports.js';

/** What tells reports apart: the probe run (`core/probe-runs.ts`) a report is about; default its probe's name. */
export type ReportKey = (report: ProbeReport) => string;

const byProbe: ReportKey = (report) => report.probe;

/**
 * The probe run of each of a response's datums (as `keyOf` names it), from how many each report
 * produced (the datums follow the reports' order); `undefined` for all of them when the count is
 * absent.
 */
export function datumProbes(
  reports: readonly ProbeReport[],
  datums: number,
  metricsPerReport: readonly number[] | undefined,
  keyOf: ReportKey = byProbe,
): (string | undefined)[] {
  const probes: (string | undefined)[] = new Array(datums).fill(undefined);
  if (metricsPerReport === undefined) return probes;
  let at = 0;
  for (let i = 0; i < reports.length; i++) {
    const report = reports[i];
    const probe = report && keyOf(report);
    for (let n = metricsPerReport[i] ?? 0; n > 0; n--) probes[at++] = probe;
  }
  return probes;
}

/**
 * The reports after publishing: a probe that succeeded but lost datums now fails with the code
 * and message of the first error that lost one of them, and `failed` lists those reports. `probes`
 * gives the probe run (as `keyOf` names it) of each position handed to the sink (`undefined` for
 * the health metrics).
 */
export function reportsAfterPublishing(
  reports: readonly ProbeReport[],
  probes: readonly (string | undefined)[],
  errors: readonly PublishError[],
  keyOf: ReportKey = byProbe,
): { reports: ProbeReport[]; failed: ProbeReport[] } {
  const losses = new Map<string, { error: PublishError; lost: Set<number> }>();
  for (const error of errors) {
    for (const index of error.indexes ?? []) {
      const probe = probes[index];
      if (probe === undefined) continue;
      const loss = losses.get(probe);
      if (loss) loss.lost.add(index);
      else losses.set(probe, { error, lost: new Set([index]) });
    }
  }
  if (losses.size === 0) return { reports: [...reports], failed: [] };

  const produced = new Map<string, number>();
  for (const probe of probes) if (probe !== undefined) produced.set(probe, (produced.get(probe) ?? 0) + 1);
  const failed: ProbeReport[] = [];
  const after = reports.map((report) => {
    const key = keyOf(report);
    const loss = losses.get(key);
    if (!loss || !report.ok) return report;
    const message = `probe '${report.probe}' (database '${report.database}'): ${loss.lost.size} of its ${produced.get(key) ?? 0} datums were not published: ${loss.error.message}`;
    const lost: ProbeReport = { ...report, ok: false, error: { code: loss.error.code, message } };
    failed.push(lost);
    return lost;
  });
  return { reports: after, failed };
}
