/**
 * What probes produce and the pipeline carries: CloudWatch `MetricDatum`s (same field names as
 * PutMetricData, so a sink hands them over unchanged) and one report per probe run.
 */
import type { CloudWatchUnit, StorageResolution } from './limits.js';
import type { ErrorCode } from './probe-error.js';

export interface Dimension {
  readonly Name: string;
  readonly Value: string;
}

/** One series' data from one run: `Value` for one value, `Values` + `Counts` for several. */
export interface MetricDatum {
  readonly MetricName: string;
  /** sorted by name */
  readonly Dimensions: readonly Dimension[];
  readonly Unit: CloudWatchUnit;
  readonly StorageResolution: StorageResolution;
  readonly Value?: number;
  readonly Values?: readonly number[];
  readonly Counts?: readonly number[];
  /** epoch milliseconds; absent: the time CloudWatch receives it */
  readonly Timestamp?: number;
}

export interface NamespacedDatum extends MetricDatum {
  readonly Namespace: string;
}

/**
 * The outcome of one probe on one database in one run (the `probes` entries of `chasm run
 * --json`): a fleet probe has one per database. With parameters, its maps' runs together: ok when
 * all succeeded, their rows summed, the longest duration, the first failure's error.
 */
export interface ProbeReport {
  readonly probe: string;
  readonly database: string;
  readonly ok: boolean;
  readonly rows: number;
  readonly durationMs: number;
  readonly error?: { readonly code: ErrorCode; readonly message: string };
}
