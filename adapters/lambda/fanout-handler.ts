/**
 * The public fan-out function's Lambda handler: thin. The manifest and the Lambda, CloudWatch
 * and Secrets Manager clients are created once per instance, outside the handler; each scheduled
 * event `{ probes: [...] }` invokes the query functions, runs the probes of Data API databases in
 * this process (their code loaded on the first one), publishes the metric data and returns the
 * run's report.
 */

import { type FanoutManifest, QUERY_FUNCTION_NAMES_ENV, type ScheduleEvent } from '../../core/manifest.js';
import type { ProbeReport } from '../../core/metric-data.js';
import type {
  DatabaseWarningReport,
  Invoker,
  Logger,
  MetricsSink,
  PublishOutcome,
} from '../../core/ports.js';
import { type FanoutDeps, fanOut } from '../../core/run/fan-out.js';
import {
  createSecretCredentials,
  type SecretCredentials,
  secretsManagerReader,
} from '../credentials/secret-credentials.js';
import { createLambdaClient, createLambdaInvoker } from '../invokers/lambda-invoker.js';
import { createCloudWatchClient, createCloudWatchSink } from '../sinks/cloudwatch-sink.js';
import type { DataApiQueries } from './data-api-queries.js';
import { createJsonLogger } from './json-logger.js';
import { readManifest } from './manifest-file.js';

/** A fan-out handler: a scheduled event in, the tick's report out. */
export interface FanoutHandler {
  (event: unknown, context?: TickContext): Promise<FanoutReport>;
  /** closes the pools of the Data API databases' probes (tests; Lambda just freezes the instance) */
  close(): Promise<void>;
}

/** What one tick did (what `chasm invoke` prints): each probe's report and how publishing went. */
export interface FanoutReport {
  readonly probes: readonly ProbeReport[];
  /** datums handed to the sink (metric data and health metrics) */
  readonly metrics: number;
  readonly publish: PublishOutcome;
  /** what the query functions found out about their databases (a user that could write); absent when none */
  readonly warnings?: readonly DatabaseWarningReport[];
}

export interface FanoutHandlerDeps {
  readonly invoker: Invoker;
  readonly sink: MetricsSink;
  /** for `auth: secret` databases; absent: no credentials are forwarded */
  readonly secrets?: SecretCredentials;
  readonly logger?: Logger;
  /** added to the longest probe timeout of an invocation to give its deadline */
  readonly invokeMarginMs?: number;
}

/** What the handler reads of Lambda's invocation context. */
export interface TickContext {
  getRemainingTimeInMillis(): number;
}

/** Kept back from the fan-out's remaining time for publishing (and its retries) after the invocations. */
export const PUBLISH_RESERVE_MS = 15_000;

/**
 * @example
 * const handle = createFanoutHandler(manifest, { invoker, sink });
 * const report = await handle({ probes: ['active-sessions'] });
 */
export function createFanoutHandler(manifest: FanoutManifest, deps: FanoutHandlerDeps): FanoutHandler {
  const { secrets, logger } = deps;
  const own = withDataApiQueries(manifest, deps.invoker, logger);
  const fanoutDeps: FanoutDeps = {
    invoker: own.invoker,
    sink: deps.sink,
    ...(secrets
      ? { credentialsFor: (database: string, arn: string) => secrets.credentialsFor(database, arn) }
      : {}),
    ...(logger ? { logger } : {}),
    ...(deps.invokeMarginMs !== undefined ? { invokeMarginMs: deps.invokeMarginMs } : {}),
  };

  const handle = async (event: unknown, context?: TickContext): Promise<FanoutReport> => {
    // a split function's batches run one after another: none may start that could not finish
    // before the function itself times out, so what did run is still published
    const tickBudgetMs = context ? context.getRemainingTimeInMillis() - PUBLISH_RESERVE_MS : undefined;
    const outcome = await fanOut(
      manifest,
      scheduleEvent(event, manifest),
      tickBudgetMs === undefined ? fanoutDeps : { ...fanoutDeps, tickBudgetMs },
    );
    // a secret that failed to authenticate is read again next tick (it may have been rotated)
    secrets?.refreshAfter(outcome.reports);
    const failed = outcome.reports.filter((report) => !report.ok).length;
    logger?.log(failed > 0 || outcome.publish.failed > 0 ? 'warn' : 'info', {
      event: 'tick',
      probes: outcome.reports.length,
      probesFailed: failed,
      published: outcome.publish.published,
      publishFailed: outcome.publish.failed,
    });
    return {
      probes: outcome.reports,
      metrics: outcome.metrics.length,
      publish: outcome.publish,
      ...(outcome.warnings ? { warnings: outcome.warnings } : {}),
    };
  };
  return Object.assign(handle, { close: own.close });
}

/**
 * `invoker`, with the probes of Data API databases routed to a query function in this process,
 * created on the first of them (its module, engines and Data API client loaded then).
 */
function withDataApiQueries(
  manifest: FanoutManifest,
  invoker: Invoker,
  logger: Logger | undefined,
): { invoker: Invoker; close(): Promise<void> } {
  const own = manifest.dataApi;
  if (!own) return { invoker, close: async () => undefined };
  let loading: Promise<DataApiQueries> | undefined;
  const load = () => {
    loading ??= import('./data-api-queries.js')
      .then((module) => module.createDataApiQueries(own.function.id, own.manifest, logger))
      .catch((error: unknown) => {
        // the next tick tries again
        loading = undefined;
        throw error;
      });
    return loading;
  };
  return {
    invoker: {
      async invoke(functionId, request, options) {
        if (functionId !== own.function.id) return invoker.invoke(functionId, request, options);
        return (await load()).invoker.invoke(functionId, request, options);
      },
    },
    close: async () => {
      const loaded = loading;
      loading = undefined;
      await (await loaded?.catch(() => undefined))?.close();
    },
  };
}

/** The schedule's event; without a `probes` list (a manual invocation), every deployed probe. */
function scheduleEvent(event: unknown, manifest: FanoutManifest): ScheduleEvent {
  const probes = (event as { probes?: unknown } | null)?.probes;
  if (probes === undefined) return { probes: Object.keys(manifest.probes) };
  if (!Array.isArray(probes) || !probes.every((p) => typeof p === 'string')) {
    throw new Error("the event must be { probes: ['probe-name', ...] }");
  }
  return { probes };
}

// once per instance; a missing manifest fails each invocation with the reason instead of the import
const deployed: FanoutHandler | Error = (() => {
  try {
    const manifest = withDeployedNames(readManifest<FanoutManifest>(), process.env);
    const logger = createJsonLogger({ fields: { function: process.env.AWS_LAMBDA_FUNCTION_NAME } });
    const functionNames = Object.fromEntries(manifest.functions.map((fn) => [fn.id, fn.functionName]));
    const hasSecrets = Object.keys(manifest.secrets).length > 0;
    return createFanoutHandler(manifest, {
      invoker: createLambdaInvoker({ client: createLambdaClient(), functionNames }),
      // the fan-out core logs each publish error with its count; the sink need not repeat it
      sink: createCloudWatchSink({ client: createCloudWatchClient() }),
      ...(hasSecrets ? { secrets: createSecretCredentials({ reader: secretsManagerReader(), logger }) } : {}),
      logger,
    });
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
})();

/**
 * The manifest with each query function's deployed name from `CHASM_QUERY_FUNCTIONS` (generated
 * by CloudFormation, so unknown when the manifest was written); unchanged without the variable.
 */
export function withDeployedNames(
  manifest: FanoutManifest,
  env: Readonly<Record<string, string | undefined>>,
): FanoutManifest {
  const listed = env[QUERY_FUNCTION_NAMES_ENV];
  if (listed === undefined) return manifest;
  const names = listed === '' ? [] : listed.split(',');
  if (names.length !== manifest.functions.length) {
    throw new Error(
      `${QUERY_FUNCTION_NAMES_ENV} names ${names.length} functions, the manifest ${manifest.functions.length}`,
    );
  }
  return {
    ...manifest,
    functions: manifest.functions.map((fn, index) => ({
      ...fn,
      functionName: names[index] ?? fn.functionName,
    })),
  };
}

/** The Lambda entry point. */
export async function handler(event: unknown, context?: TickContext): Promise<FanoutReport> {
  if (deployed instanceof Error) throw deployed;
  return deployed(event, context);
}
