/**
 * The health metrics' names, part of the external contract: runs publish them (`run/health-metrics.ts`),
 * alarms and dashboards watch them.
 */
export const HEALTH_METRICS = {
  probesFailed: 'ProbesFailed',
  probeSuccess: 'ProbeSuccess',
  probeDuration: 'ProbeDuration',
  probeRows: 'ProbeRows',
} as const;

/** The dimension naming the probe on its detailed health metrics. */
export const PROBE_DIMENSION = 'Probe';
