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
export { countSeries, type SeriesCount } from './core/billed-series.js';
export { fanoutManifest, queryManifest } from './core/build-manifests.js';
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
} from './core/config.js';
export { type CostReport, estimateCost } from './core/cost-model.js';
export { type EmfDocument, emfDocuments } from './core/emf-documents.js';
export { type FanoutDeps, type FanoutOutcome, fanOut } from './core/fan-out.js';
export { healthMetrics } from './core/health-metrics.js';
export { mapRows } from './core/map-rows.js';
export { buildPlan, type FunctionPlan, type Plan, type SchedulePlan } from './core/plan.js';
export {
  type PutMetricBatches,
  type PutMetricRequest,
  planPutMetricBatches,
} from './core/put-metric-batches.js';
export { createQueryFunction, type QueryFunction, type QueryFunctionDeps } from './core/query-function.js';
export { InvalidQueryRequestError } from './core/query-request.js';
export { parseSchedule } from './core/schedule.js';
