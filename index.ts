/**
 * `chasm`: read and validate a `probes.yaml`, run its probes locally, plan and price its
 * deployment. The CDK constructs that deploy it are in `chasm/cdk`.
 *
 * @example
 * import { createCollectingSink, loadConfig, runProbesLocally } from 'chasm';
 *
 * const config = loadConfig('probes.yaml');
 * const outcome = await runProbesLocally(config, Object.keys(config.probes), { sink: createCollectingSink() });
 */
export { loadConfig, readConfig } from './adapters/config-loader.js';
export {
  type LocalRunner,
  type LocalRunOptions,
  prepareLocalRun,
  runProbesLocally,
} from './adapters/local-run.js';
export { type CollectingSink, createCollectingSink } from './adapters/sinks/collecting-sink.js';
export { ConfigError } from './config/config-error.js';
export type { ConfigIssue } from './config/config-issue.js';
export type { ConfigResult } from './config/read-config.js';
export type { Dimension, MetricDatum, NamespacedDatum, ProbeReport } from './core/metric-data.js';
export type {
  AlarmStatistic,
  AlarmsConfig,
  AuthConfig,
  Config,
  DataApiConfig,
  DataApiDatabaseConfig,
  DatabaseConfig,
  DimensionSource,
  LocalDatabase,
  MetricAlarmConfig,
  MetricConfig,
  MissingData,
  ProbeConfig,
  ServerDatabaseConfig,
  VpcConfig,
} from './core/model.js';
export { type CostReport, estimateCost } from './core/plan/cost-model.js';
export { buildPlan, type FunctionPlan, type Plan, type SchedulePlan } from './core/plan/plan.js';
export type { Logger, MetricsSink, PublishError, PublishOutcome } from './core/ports.js';
export {
  ERROR_CODES,
  type ErrorCode,
  ProbeError,
  WARNING_CODES,
  type WarningCode,
} from './core/probe-error.js';
export type { FanoutOutcome } from './core/run/fan-out.js';
