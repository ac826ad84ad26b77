export { Probes, type ProbesProps } from './adapters/cdk/probes.js';
export { ProbesStack, type ProbesStackProps } from './adapters/cdk/probes-stack.js';
export { loadConfig, readConfig } from './adapters/config-loader.js';
export { createSecretCredentials, secretsManagerReader } from './adapters/credentials/secret-credentials.js';
export {
  createLambdaClient,
  createLambdaInvoker,
  InvokeFailedError,
} from './adapters/invokers/lambda-invoker.js';
export { createJsonLogger } from './adapters/lambda/json-logger.js';
export { type LocalRunner, prepareLocalRun, runProbesLocally } from './adapters/local-run.js';
export { createCloudWatchClient, createCloudWatchSink } from './adapters/sinks/cloudwatch-sink.js';
export { createEmfSink } from './adapters/sinks/emf-sink.js';
export { ConfigError } from './config/config-error.js';
export type { ConfigIssue } from './config/config-issue.js';
export type {
  AlarmsConfig,
  AuthConfig,
  Config,
  DatabaseConfig,
  DimensionSource,
  LocalDatabase,
  MetricConfig,
  ProbeConfig,
  VpcConfig,
} from './core/model.js';
export { countSeries, type SeriesCount } from './core/plan/billed-series.js';
export { fanoutManifest, queryManifest } from './core/plan/build-manifests.js';
export { type CostReport, estimateCost } from './core/plan/cost-model.js';
export { buildPlan, type FunctionPlan, type Plan, type SchedulePlan } from './core/plan/plan.js';
export { parseSchedule } from './core/plan/schedule.js';
export { type EmfDocument, emfDocuments } from './core/run/emf-documents.js';
export { type FanoutDeps, type FanoutOutcome, fanOut } from './core/run/fan-out.js';
export { healthMetrics } from './core/run/health-metrics.js';
export { mapRows } from './core/run/map-rows.js';
export {
  type PutMetricBatches,
  type PutMetricRequest,
  planPutMetricBatches,
} from './core/run/put-metric-batches.js';
export {
  createQueryFunction,
  type QueryFunction,
  type QueryFunctionDeps,
} from './core/run/query-function.js';
export { InvalidQueryRequestError } from './core/run/query-request.js';
