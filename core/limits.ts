/**
 * The hard limits of the AWS services Chasm works within, named, in one place.
 * Sources: CloudWatch API reference (PutMetricData, MetricDatum, Dimension, PutMetricAlarm,
 * MetricDataQuery), CloudWatch alarm and Metrics Insights limits, Lambda quotas, CloudFormation
 * quotas, CloudWatch Embedded Metric Format specification, the RDS Data API's limitations (Aurora
 * User Guide).
 */

export const CLOUDWATCH = {
  /** datums in one PutMetricData request */
  maxDatumsPerRequest: 1000,
  /** bytes of one PutMetricData request body (the SDK gzips; the limit applies to the request) */
  maxRequestBytes: 1_000_000,
  /** distinct values in one datum's Values array */
  maxValuesPerDatum: 150,
  /** dimensions on one metric */
  maxDimensions: 30,
  /**
   * metric name, dimension name and dimension value lengths; names and values are printable
   * ASCII with at least one character other than a space, and a dimension name never starts with `:`
   */
  maxNameLength: 255,
  maxDimensionValueLength: 1024,
  maxNamespaceLength: 255,
  /** |value| must lie within 2^-260 .. 2^360 (or be 0) */
  maxValue: 2 ** 360,
  minMagnitude: 2 ** -260,
  /** a datum's `Timestamp` lies within two weeks before and two hours after CloudWatch receives it */
  maxTimestampAgeMs: 14 * 24 * 60 * 60 * 1000,
  maxTimestampLeadMs: 2 * 60 * 60 * 1000,
} as const;

export const CLOUDWATCH_ALARMS = {
  /** Period × EvaluationPeriods of an alarm whose period is under an hour */
  maxEvaluationSeconds: 86_400,
  /** Period × EvaluationPeriods of an alarm whose period is an hour or more */
  maxLongEvaluationSeconds: 604_800,
  /** the period from which `maxLongEvaluationSeconds` applies */
  longPeriodSeconds: 3_600,
  /** an alarm description's characters */
  maxDescriptionLength: 1_024,
  /** a MetricDataQuery expression's characters, a Metrics Insights query's included */
  maxExpressionLength: 2_048,
  /** a Metrics Insights alarm evaluates only the latest 3 hours of data */
  metricsInsightsWindowSeconds: 10_800,
  /** Metrics Insights alarms per account and Region (the default quota) */
  metricsInsightsAlarms: 200,
  /** metrics one Metrics Insights query processes: beyond, only the first 10,000 it finds */
  metricsInsightsMaxMetrics: 10_000,
  /** time series one Metrics Insights query returns: its ORDER BY decides which */
  metricsInsightsMaxSeries: 500,
} as const;

export const CLOUDFORMATION = {
  /** resources in one stack's template */
  maxResources: 500,
} as const;

export const LAMBDA = {
  /** synchronous (RequestResponse) invocation payload, request and response */
  maxPayloadBytes: 6 * 1024 * 1024,
  maxFunctionNameLength: 64,
  /** the longest a function may run */
  maxTimeoutSeconds: 900,
  /** the environment of one function */
  maxEnvironmentBytes: 4 * 1024,
} as const;

export const RDS_DATA_API = {
  /** the result one ExecuteStatement returns; beyond it the call fails */
  maxResponseBytes: 1024 * 1024,
  /** one row of a result */
  maxRowBytes: 64 * 1024,
  /** the longest one request runs before the call times out (and the statement with it) */
  maxRequestSeconds: 45,
} as const;

export const EMF = {
  /** metrics in one EMF document */
  maxMetricsPerDocument: 100,
  maxDimensionsPerSet: 30,
  /** values of one metric in one document */
  maxValuesPerMetric: 100,
} as const;

/** Every unit CloudWatch accepts (StandardUnit). */
export const CLOUDWATCH_UNITS = [
  'Seconds',
  'Microseconds',
  'Milliseconds',
  'Bytes',
  'Kilobytes',
  'Megabytes',
  'Gigabytes',
  'Terabytes',
  'Bits',
  'Kilobits',
  'Megabits',
  'Gigabits',
  'Terabits',
  'Percent',
  'Count',
  'Bytes/Second',
  'Kilobytes/Second',
  'Megabytes/Second',
  'Gigabytes/Second',
  'Terabytes/Second',
  'Bits/Second',
  'Kilobits/Second',
  'Megabits/Second',
  'Gigabits/Second',
  'Terabits/Second',
  'Count/Second',
  'None',
] as const;

export type CloudWatchUnit = (typeof CLOUDWATCH_UNITS)[number];

/** 60: standard resolution; 1: high resolution. */
export const STORAGE_RESOLUTIONS = [1, 60] as const;
export type StorageResolution = (typeof STORAGE_RESOLUTIONS)[number];
