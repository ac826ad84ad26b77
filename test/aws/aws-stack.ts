/**
 * The deployed pattern, locally: a config's query handlers served by the local Lambda endpoint,
 * the fan-out handler with real SDK clients pointed at the local Lambda, CloudWatch and Secrets
 * Manager endpoints (and the local RDS Data API endpoint, for Data API databases), and the real
 * databases behind them.
 */
import {
  createSecretCredentials,
  secretsManagerReader,
} from '../../adapters/credentials/secret-credentials.js';
import { deployedPoolOpener } from '../../adapters/database-pools.js';
import { createLambdaClient, createLambdaInvoker } from '../../adapters/invokers/lambda-invoker.js';
import {
  createFanoutHandler,
  type FanoutHandler,
  type FanoutReport,
} from '../../adapters/lambda/fanout-handler.js';
import { createQueryHandler, type QueryHandler } from '../../adapters/lambda/query-handler.js';
import { createCloudWatchClient, createCloudWatchSink } from '../../adapters/sinks/cloudwatch-sink.js';
import type { Config, ProbeConfig, ServerDatabaseConfig } from '../../core/model.js';
import { fanoutManifest, queryManifest } from '../../core/plan/build-manifests.js';
import { buildPlan, type Plan } from '../../core/plan/plan.js';
import { type ConfigParts, config, database, probe } from '../support/config-factory.js';
import { useDummyCredentials } from '../support/local-aws/dummy-credentials.js';
import {
  type LocalCloudWatch,
  type ReceivedDatum,
  startLocalCloudWatch,
} from '../support/local-aws/local-cloudwatch.js';
import { type LocalLambda, startLocalLambda } from '../support/local-aws/local-lambda.js';
import {
  type LocalCluster,
  type LocalRdsData,
  startLocalRdsData,
} from '../support/local-aws/local-rds-data.js';
import {
  type LocalSecretsManager,
  startLocalSecretsManager,
} from '../support/local-aws/local-secrets-manager.js';

/** the variable `auth: env` MariaDB databases read their password from in these tests */
export const MYSQL_PASSWORD_ENV = 'CHASM_TEST_MYSQL_PASSWORD';

export interface AwsStack {
  readonly plan: Plan;
  readonly lambda: LocalLambda;
  readonly cloudwatch: LocalCloudWatch;
  readonly secrets: LocalSecretsManager;
  /** the RDS Data API, when the stack was started with clusters */
  readonly rdsData?: LocalRdsData;
  /** the fan-out handler, wired to the local endpoints */
  readonly fanout: FanoutHandler;
  /** one scheduled tick through the fan-out handler */
  tick(probes?: readonly string[]): Promise<FanoutReport>;
  /** replaces every query handler by a fresh one (a cold start: new pools, new connections) */
  coldStart(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the stack for `config`: the local Secrets Manager holds `secretValues` (by ARN), the query
 * handlers see `env` on top of this process's environment (where `auth: env` reads), and the local
 * RDS Data API serves `clusters` (by ARN), reading the same secrets.
 */
export async function startAwsStack(
  config: Config,
  secretValues: Record<string, string> = {},
  env: Record<string, string> = {},
  clusters?: Readonly<Record<string, LocalCluster>>,
): Promise<AwsStack> {
  useDummyCredentials();
  const [lambda, cloudwatch, secrets, rdsData] = await Promise.all([
    startLocalLambda(),
    startLocalCloudWatch(),
    startLocalSecretsManager(),
    clusters ? startLocalRdsData({ clusters, secret: (arn) => secretValues[arn] }) : undefined,
  ]);
  // the SDK client of the fan-out's Data API engines reads its endpoint from the environment
  if (rdsData) process.env.AWS_ENDPOINT_URL_RDS_DATA = rdsData.endpoint;
  for (const [arn, value] of Object.entries(secretValues)) secrets.put(arn, value);
  const plan = buildPlan(config);
  const handlerEnv = { ...process.env, ...env };
  let handlers: QueryHandler[] = [];
  const deploy = (): void => {
    handlers = plan.functions.map((fn) => {
      const handler = createQueryHandler(queryManifest(config, fn), {
        openPool: deployedPoolOpener({
          iamToken: () => {
            throw new Error('no IAM auth in these tests');
          },
          env: handlerEnv,
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
    ...(rdsData ? { rdsData } : {}),
    fanout,
    tick: (probes) => fanout(probes ? { probes } : {}),
    coldStart: async () => {
      await Promise.all(handlers.map((handler) => handler.close()));
      deploy();
    },
    close: async () => {
      await Promise.all([...handlers.map((handler) => handler.close()), fanout.close()]);
      lambdaClient.destroy();
      cloudwatchClient.destroy();
      secretsReader.destroy();
      await Promise.all([lambda.close(), cloudwatch.close(), secrets.close(), rdsData?.close()]);
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

// --- this suite's configs, on the shared factory ---

/** A config in namespace `Chasm/Test`. */
export function stackConfig(parts: ConfigParts): Config {
  return config({ file: 'probes.yaml', namespace: 'Chasm/Test', ...parts });
}

/** A probe that times out after 5 s (the invoke-timeout test waits beyond it). */
export function stackProbe(
  draft: Partial<ProbeConfig> & Pick<ProbeConfig, 'name' | 'database' | 'sql'>,
): ProbeConfig {
  return probe({ timeoutMs: 5000, ...draft });
}

/** A database at the server `url` points to, without TLS (the local servers offer none). */
export function serverDatabase(
  name: string,
  url: string,
  draft: Partial<ServerDatabaseConfig> & Pick<ServerDatabaseConfig, 'engine' | 'auth'>,
): ServerDatabaseConfig {
  const parsed = new URL(url);
  return database({
    name,
    host: parsed.hostname,
    port: Number(parsed.port),
    database: parsed.pathname.slice(1),
    user: decodeURIComponent(parsed.username),
    tls: false,
    maxConnections: 2,
    ...draft,
  });
}
