/**
 * The deployed pattern, locally: a config's query handlers served by the local Lambda endpoint,
 * the fan-out handler with real SDK clients pointed at the local Lambda, CloudWatch and Secrets
 * Manager endpoints, and the real databases behind the query handlers.
 */
import {
  createSecretCredentials,
  secretsManagerReader,
} from '../../adapters/credentials/secret-credentials.js';
import { deployedPoolOpener } from '../../adapters/database-pools.js';
import { createLambdaClient, createLambdaInvoker } from '../../adapters/invokers/lambda-invoker.js';
import { createFanoutHandler, type FanoutReport } from '../../adapters/lambda/fanout-handler.js';
import { createQueryHandler, type QueryHandler } from '../../adapters/lambda/query-handler.js';
import { createCloudWatchClient, createCloudWatchSink } from '../../adapters/sinks/cloudwatch-sink.js';
import { fanoutManifest, queryManifest } from '../../core/build-manifests.js';
import type { Config, DatabaseConfig, MetricConfig, ProbeConfig, VpcConfig } from '../../core/config.js';
import { DEFAULTS } from '../../core/config.js';
import { buildPlan, type Plan } from '../../core/plan.js';
import { useDummyCredentials } from '../support/local-aws/dummy-credentials.js';
import {
  type LocalCloudWatch,
  type ReceivedDatum,
  startLocalCloudWatch,
} from '../support/local-aws/local-cloudwatch.js';
import { type LocalLambda, startLocalLambda } from '../support/local-aws/local-lambda.js';
import {
  type LocalSecretsManager,
  startLocalSecretsManager,
} from '../support/local-aws/local-secrets-manager.js';

export const PG_URL = process.env.CHASM_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const MYSQL_URL = process.env.CHASM_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
/** the variable `auth: env` databases read their (empty) password from in these tests */
export const MYSQL_PASSWORD_ENV = 'CHASM_TEST_MYSQL_PASSWORD';

export interface AwsStack {
  readonly plan: Plan;
  readonly lambda: LocalLambda;
  readonly cloudwatch: LocalCloudWatch;
  readonly secrets: LocalSecretsManager;
  /** the fan-out handler, wired to the local endpoints */
  readonly fanout: (event: unknown) => Promise<FanoutReport>;
  /** one scheduled tick through the fan-out handler */
  tick(probes?: readonly string[]): Promise<FanoutReport>;
  /** replaces every query handler by a fresh one (a cold start: new pools, new connections) */
  coldStart(): Promise<void>;
  close(): Promise<void>;
}

export async function startAwsStack(
  config: Config,
  secretValues: Record<string, string> = {},
): Promise<AwsStack> {
  useDummyCredentials();
  const [lambda, cloudwatch, secrets] = await Promise.all([
    startLocalLambda(),
    startLocalCloudWatch(),
    startLocalSecretsManager(),
  ]);
  for (const [arn, value] of Object.entries(secretValues)) secrets.put(arn, value);
  const plan = buildPlan(config);
  const env = { ...process.env, [MYSQL_PASSWORD_ENV]: new URL(MYSQL_URL).password };
  let handlers: QueryHandler[] = [];
  const deploy = (): void => {
    handlers = plan.functions.map((fn) => {
      const handler = createQueryHandler(queryManifest(config, fn), {
        openPool: deployedPoolOpener({
          iamToken: () => {
            throw new Error('no IAM auth in these tests');
          },
          env,
        }),
      });
      lambda.register(fn.functionName, handler);
      return handler;
    });
  };
  deploy();

  const lambdaClient = createLambdaClient({ endpoint: lambda.endpoint, region: 'eu-west-1' });
  const cloudwatchClient = createCloudWatchClient({ endpoint: cloudwatch.endpoint, region: 'eu-west-1' });
  const secretsReader = secretsManagerReader({ endpoint: secrets.endpoint, region: 'eu-west-1' });
  const fanout = createFanoutHandler(fanoutManifest(plan), {
    invoker: createLambdaInvoker({
      client: lambdaClient,
      functionNames: Object.fromEntries(plan.functions.map((fn) => [fn.id, fn.functionName])),
      graceMs: 500,
    }),
    sink: createCloudWatchSink({ client: cloudwatchClient }),
    secrets: createSecretCredentials({ reader: secretsReader }),
    invokeMarginMs: 1000,
  });

  return {
    plan,
    lambda,
    cloudwatch,
    secrets,
    fanout,
    tick: (probes) => fanout(probes ? { probes } : {}),
    coldStart: async () => {
      await Promise.all(handlers.map((handler) => handler.close()));
      deploy();
    },
    close: async () => {
      await Promise.all(handlers.map((handler) => handler.close()));
      lambdaClient.destroy();
      cloudwatchClient.destroy();
      secretsReader.destroy();
      await Promise.all([lambda.close(), cloudwatch.close(), secrets.close()]);
    },
  };
}

/** A datum as compared in assertions: what CloudWatch holds, in a stable order, without timestamps. */
export function comparable(data: readonly ReceivedDatum[]): string[] {
  return data
    .map((d) =>
      JSON.stringify([
        d.Namespace,
        d.MetricName,
        (d.Dimensions ?? []).map((x) => `${x.Name}=${x.Value}`),
        d.Unit,
        d.StorageResolution ?? 60,
        d.Value ?? null,
        d.Values ?? null,
        d.Counts ?? null,
      ]),
    )
    .sort();
}

// --- configs, fully defaulted as the loader produces them ---

export function vpc(name: string): VpcConfig {
  return {
    name,
    vpcId: `vpc-0${name.padEnd(16, '0').slice(0, 16)}`,
    subnetIds: ['subnet-0aaa1111bbbb2222c'],
  };
}

export function serverDatabase(
  name: string,
  url: string,
  draft: Partial<DatabaseConfig> & Pick<DatabaseConfig, 'engine' | 'auth'>,
): DatabaseConfig {
  const parsed = new URL(url);
  return {
    name,
    host: parsed.hostname,
    port: Number(parsed.port),
    database: parsed.pathname.slice(1),
    user: decodeURIComponent(parsed.username),
    tls: false,
    maxConnections: 2,
    ...draft,
  };
}

export function metric(name: string, column: string, extra: Partial<MetricConfig> = {}): MetricConfig {
  return { name, column, unit: 'Count', resolution: 60, dimensions: {}, ...extra };
}

export function probe(
  name: string,
  database: string,
  sql: string,
  extra: Partial<ProbeConfig> = {},
): ProbeConfig {
  return {
    name,
    database,
    sql,
    schedule: DEFAULTS.schedule,
    timeoutMs: 5000,
    onNull: DEFAULTS.onNull,
    onEmpty: DEFAULTS.onEmpty,
    maxRows: DEFAULTS.maxRows,
    maxSeries: DEFAULTS.maxSeries,
    dimensions: {},
    metrics: [metric('Value', 'n')],
    ...extra,
  };
}

export function config(
  parts: Pick<Config, 'vpcs' | 'databases' | 'probes'> & Partial<Pick<Config, 'health' | 'namespace'>>,
): Config {
  return {
    file: 'probes.yaml',
    version: 1,
    namespace: 'Chasm/Test',
    schedule: DEFAULTS.schedule,
    publish: 'fanout',
    health: 'summary',
    logRetentionDays: DEFAULTS.logRetentionDays,
    ...parts,
  };
}

export function byName<T extends { readonly name: string }>(...items: T[]): Record<string, T> {
  return Object.fromEntries(items.map((item) => [item.name, item]));
}
