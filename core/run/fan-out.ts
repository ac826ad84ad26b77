/**
 * The public fan-out function's logic (the Lambda handler and `chasm run` wrap it): one tick's
 * probes are grouped per query function, the functions invoked concurrently (one invocation per
 * function unless 6 MiB forces a split; a split function's batches one after another), each
 * invocation under a deadline; whatever one invocation does, the others' metric data is
 * published, with the health metrics, through the sink. A probe whose datums the sink could not
 * publish fails (`core/publish-losses.ts`); the health metrics, published with the data in the
 * fewest requests, are then corrected by a second, small publish.
 */

import { causeOf } from '../error-cause.js';
import type { FanoutManifest, ScheduleEvent } from '../manifest.js';
import type { MetricDatum, NamespacedDatum, ProbeReport } from '../metric-data.js';
import { entryNamed, formatDuration } from '../model.js';
import type {
  DatabaseCredentials,
  DatabaseWarningReport,
  Invoker,
  Logger,
  MetricsSink,
  PublishOutcome,
  QueryRequest,
  QueryResponse,
} from '../ports.js';
import type { ErrorCode } from '../probe-error.js';
import { runKey } from '../run-keys.js';
import { withDeadline } from './deadline-timer.js';
import { healthCorrections, healthMetrics } from './health-metrics.js';
import { invocationBatches } from './invocation-batches.js';
import { datumProbes, reportsAfterPublishing } from './publish-losses.js';
import { parseQueryResponse } from './query-response.js';

/** What the fan-out needs from the world. */
export interface FanoutDeps {
  readonly invoker: Invoker;
  readonly sink: MetricsSink;
  /**
   * The credentials of an `auth: secret` database (e.g. read from Secrets Manager, cached while
   * warm), forwarded with the invocation; absent: none are forwarded.
   */
  credentialsFor?(database: string, secretArn: string): Promise<DatabaseCredentials>;
  readonly logger?: Logger;
  /** added to the longest probe timeout of a batch to give its invocation's deadline; default 5000 ms */
  readonly invokeMarginMs?: number;
  /** the largest response of one invocation; default Lambda's 6 MiB */
  readonly maxResponseBytes?: number;
  /**
   * How long the tick's invocations may take in all (in Lambda: the fan-out's remaining time less
   * what publishing needs). A batch that could outlast it is not invoked: its probes fail with
   * `INVOKE_FAILED` and everything else is still published. Default: no limit.
   */
  readonly tickBudgetMs?: number;
  /** a monotonic clock in milliseconds; default `performance.now` */
  readonly now?: () => number;
}

/** What one tick did: a report per probe (in the event's order), what was published and how it went. */
export interface FanoutOutcome {
  /** a probe that lost datums in publishing is reported failed, with the sink's code and message */
  readonly reports: readonly ProbeReport[];
  /** every datum handed to the sink, health corrections last */
  readonly metrics: readonly NamespacedDatum[];
  /** counts and errors (without `indexes`: what they lost is in the reports) */
  readonly publish: PublishOutcome;
  /** what the query functions found out about their databases (e.g. a user that could write); absent when none */
  readonly warnings?: readonly DatabaseWarningReport[];
}

/** The margin an invocation gets beyond its longest probe timeout (cold start, network). */
export const DEFAULT_INVOKE_MARGIN_MS = 5000;

/** The deployed probe runs among `keys`, by the function that serves them, in their order; unknown ones left out. */
function groupByFunction(manifest: FanoutManifest, keys: readonly string[]): Map<string, string[]> {
  const perFunction = new Map<string, string[]>();
  for (const name of keys) {
    const route = entryNamed(manifest.probes, name);
    if (!route) continue;
    const group = perFunction.get(route.functionId);
    if (group) group.push(name);
    else perFunction.set(route.functionId, [name]);
  }
  return perFunction;
}

/** A function's probes in invocation batches: split only where a 6 MiB response could force it. */
function functionBatches(
  manifest: FanoutManifest,
  probes: readonly string[],
  maxResponseBytes: number | undefined,
): string[][] {
  const sized = probes.map((name) => ({
    name,
    maxResponseBytes: manifest.probes[name]?.maxResponseBytes ?? 0,
  }));
  return invocationBatches(sized, maxResponseBytes);
}

/** How long the fan-out waits for one invocation: its longest probe timeout and the margin. */
function batchDeadlineMs(manifest: FanoutManifest, batch: readonly string[], marginMs: number): number {
  return Math.max(0, ...batch.map((name) => manifest.probes[name]?.timeoutMs ?? 0)) + marginMs;
}

/**
 * The longest a tick that runs every deployed probe waits for its invocations: each function's
 * batches one after another, the functions side by side. What the fan-out's own timeout must cover.
 */
export function tickDurationBoundMs(
  manifest: FanoutManifest,
  options: { readonly invokeMarginMs?: number; readonly maxResponseBytes?: number } = {},
): number {
  const margin = options.invokeMarginMs ?? DEFAULT_INVOKE_MARGIN_MS;
  let longest = 0;
  for (const probes of groupByFunction(manifest, Object.keys(manifest.probes)).values()) {
    let total = 0;
    for (const batch of functionBatches(manifest, probes, options.maxResponseBytes)) {
      total += batchDeadlineMs(manifest, batch, margin);
    }
    longest = Math.max(longest, total);
  }
  return longest;
}

/**
 * @example
 * const outcome = await fanOut(manifest, { probes: ['active-sessions'] }, { invoker, sink });
 */
export async function fanOut(
  manifest: FanoutManifest,
  event: ScheduleEvent,
  deps: FanoutDeps,
): Promise<FanoutOutcome> {
  const now = deps.now ?? (() => performance.now());
  const margin = deps.invokeMarginMs ?? DEFAULT_INVOKE_MARGIN_MS;
  const names = runKeysOf(manifest, event.probes);
  const reports = new Map<string, ProbeReport>();
  // per invocation, in plan order (not completion order), so output is deterministic
  const responses: QueryResponse[] = [];

  const fail = (key: string, elapsedMs: number, code: ErrorCode, message: string): void => {
    const route = entryNamed(manifest.probes, key);
    reports.set(key, {
      probe: route?.probe ?? key,
      database: route?.database ?? '',
      ok: false,
      rows: 0,
      durationMs: Math.round(elapsedMs * 10) / 10,
      error: { code, message },
    });
  };

  for (const name of names) {
    if (!entryNamed(manifest.probes, name))
      fail(name, 0, 'UNKNOWN_PROBE', `probe '${name}' is not in the deployed configuration`);
  }
  const perFunction = groupByFunction(manifest, names);

  // functions side by side; a function's batches one after another: Lambda runs concurrent
  // invocations of one function in separate instances, each with its own pools, so a database
  // would see maxConnections once per batch
  const tickStarted = now();
  const invocations: Promise<void>[] = [];
  let slots = 0;
  // the probes on Data API databases are routed as another function's, to the fan-out's own process
  const functions = manifest.dataApi
    ? [...manifest.functions, manifest.dataApi.function]
    : manifest.functions;
  for (const fn of functions) {
    const group = perFunction.get(fn.id);
    if (!group) continue;
    const batches = functionBatches(manifest, group, deps.maxResponseBytes).map((batch) => ({
      batch,
      slot: slots++,
    }));
    invocations.push(
      (async () => {
        for (const { batch, slot } of batches) {
          const deadlineMs = batchDeadlineMs(manifest, batch, margin);
          const left = deps.tickBudgetMs === undefined ? Infinity : deps.tickBudgetMs - (now() - tickStarted);
          if (deadlineMs > left) {
            const message = `query function '${fn.functionName}' was not invoked for it: its probes take ${batches.length} invocations one after another, and the tick had ${formatDuration(Math.max(0, Math.floor(left)))} left for one that may take ${formatDuration(deadlineMs)}`;
            for (const probe of batch) fail(probe, 0, 'INVOKE_FAILED', message);
            continue;
          }
          await invokeBatch(fn.id, fn.functionName, batch, slot, deadlineMs);
        }
      })(),
    );
  }

  async function invokeBatch(
    functionId: string,
    functionName: string,
    batch: readonly string[],
    slot: number,
    deadlineMs: number,
  ): Promise<void> {
    const started = now();
    const credentials = await gatherCredentials(batch, (probe, message) =>
      fail(probe, now() - started, 'CONNECTION_FAILED', message),
    );
    const probes = batch.filter((name) => !reports.has(name));
    if (probes.length === 0) return;
    const request: QueryRequest = Object.keys(credentials).length > 0 ? { probes, credentials } : { probes };
    let response: QueryResponse;
    try {
      const answer = await withDeadline(deadlineMs, () =>
        deps.invoker.invoke(functionId, request, { deadlineMs }),
      );
      response = parseQueryResponse(answer);
    } catch (error) {
      const cause =
        error instanceof Error && error.name === 'DeadlineExceededError'
          ? `no answer within ${formatDuration(deadlineMs)}`
          : causeOf(error);
      for (const probe of probes) {
        fail(probe, now() - started, 'INVOKE_FAILED', `query function '${functionName}' failed: ${cause}`);
      }
      deps.logger?.log('error', { event: 'invoke-failed', function: functionName, probes, cause });
      return;
    }
    const answered = new Map(response.reports.map((report) => [reportKey(manifest, report), report]));
    for (const probe of probes) {
      const report = answered.get(probe);
      if (report) reports.set(probe, report);
      else {
        fail(
          probe,
          now() - started,
          'INVOKE_FAILED',
          `query function '${functionName}' returned no report for it`,
        );
      }
    }
    responses[slot] = response;
  }

  async function gatherCredentials(
    batch: readonly string[],
    onFailure: (probe: string, message: string) => void,
  ): Promise<Record<string, DatabaseCredentials>> {
    const credentials: Record<string, DatabaseCredentials> = {};
    if (!deps.credentialsFor) return credentials;
    const databases = new Set(batch.map((name) => manifest.probes[name]?.database ?? ''));
    for (const database of databases) {
      const secretArn = manifest.secrets[database];
      if (secretArn === undefined) continue;
      try {
        credentials[database] = await deps.credentialsFor(database, secretArn);
      } catch (error) {
        // only this database's probes are lost; the secret's value never reaches a message
        for (const probe of batch) {
          if (manifest.probes[probe]?.database === database) {
            onFailure(probe, `could not read the secret of database '${database}': ${causeOf(error)}`);
          }
        }
      }
    }
    return credentials;
  }

  await Promise.all(invocations);

  const ordered = names.map((name) => reports.get(name)).filter((report) => report !== undefined);
  for (const report of ordered) {
    if (report.error && ['INVOKE_FAILED', 'UNKNOWN_PROBE', 'CONNECTION_FAILED'].includes(report.error.code)) {
      deps.logger?.log('error', {
        event: 'probe',
        probe: report.probe,
        database: report.database,
        code: report.error.code,
        message: report.error.message,
      });
    }
  }
  return publishTick(manifest, deps, responses, ordered);
}

/**
 * Publishes a tick's responses and health metrics in one go; a probe that lost datums then fails,
 * and the health metrics already published are corrected with a second, small publish.
 */
async function publishTick(
  manifest: FanoutManifest,
  deps: FanoutDeps,
  responses: readonly QueryResponse[],
  reports: readonly ProbeReport[],
): Promise<FanoutOutcome> {
  const metrics: NamespacedDatum[] = [];
  const keyOf = (report: ProbeReport) => reportKey(manifest, report);
  const fleet = (report: ProbeReport) => keyOf(report) !== report.probe;
  // the probe run each datum came from (none for health metrics), to trace what publishing loses
  const probes: (string | undefined)[] = [];
  for (const response of responses) {
    if (!response) continue;
    const owners = datumProbes(response.reports, response.metrics.length, response.metricsPerReport, keyOf);
    for (let i = 0; i < response.metrics.length; i++) {
      metrics.push(namespaced(manifest.namespace, response.metrics[i] as MetricDatum));
      probes.push(owners[i]);
    }
  }
  for (const datum of healthMetrics(manifest.health, reports, fleet)) {
    metrics.push(namespaced(manifest.namespace, datum));
  }
  let publish = await publishAll(deps, metrics);

  const after = reportsAfterPublishing(reports, probes, publish.errors, keyOf);
  for (const report of after.failed) {
    deps.logger?.log('error', {
      event: 'probe',
      probe: report.probe,
      database: report.database,
      code: report.error?.code,
      message: report.error?.message,
    });
  }
  // a sink that published nothing is down: the health metrics would be lost too, and missing
  // health data already alarms
  const corrections =
    publish.published > 0
      ? healthCorrections(manifest.health, after.reports, after.failed, fleet).map((datum) =>
          namespaced(manifest.namespace, datum),
        )
      : [];
  if (corrections.length > 0) {
    const corrected = await publishAll(deps, corrections);
    metrics.push(...corrections);
    publish = {
      published: publish.published + corrected.published,
      failed: publish.failed + corrected.failed,
      errors: [...publish.errors, ...corrected.errors],
    };
  }
  const warnings = warningsOf(responses);
  for (const warning of warnings) deps.logger?.log('warn', { event: 'database-warning', ...warning });
  return {
    reports: after.reports,
    metrics,
    publish: { ...publish, errors: publish.errors.map(({ indexes: _indexes, ...error }) => error) },
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}

/**
 * The run keys an event names, once each in its order: a key as given, a fleet probe's bare name
 * as each of its runs (a manual invocation may name the probe).
 */
function runKeysOf(manifest: FanoutManifest, names: readonly string[]): string[] {
  const keys = new Set<string>();
  for (const name of names) {
    if (entryNamed(manifest.probes, name)) {
      keys.add(name);
      continue;
    }
    const members = Object.entries(manifest.probes).filter(
      ([key, route]) => route.probe === name && key !== name,
    );
    if (members.length === 0) keys.add(name);
    for (const [key] of members) keys.add(key);
  }
  return [...keys];
}

/** The run a report is about: its probe's name, or `name@database` where that names a fleet member. */
function reportKey(manifest: FanoutManifest, report: ProbeReport): string {
  const member = runKey(report.probe, report.database, true);
  return entryNamed(manifest.probes, member) ? member : report.probe;
}

/** The responses' warnings, each database's once per code (a split function answers several times). */
function warningsOf(responses: readonly QueryResponse[]): DatabaseWarningReport[] {
  const seen = new Map<string, DatabaseWarningReport>();
  for (const response of responses) {
    for (const warning of response?.warnings ?? []) {
      seen.set(`${warning.database}\u0000${warning.code}`, warning);
    }
  }
  return [...seen.values()];
}

/** A datum with its namespace, built field by field: a field a response should not have is not passed on. */
function namespaced(Namespace: string, datum: MetricDatum): NamespacedDatum {
  const { MetricName, Dimensions, Unit, StorageResolution, Value, Values, Counts, Timestamp } = datum;
  const out: { -readonly [K in keyof NamespacedDatum]: NamespacedDatum[K] } = {
    Namespace,
    MetricName,
    Dimensions,
    Unit,
    StorageResolution,
  };
  if (Value !== undefined) out.Value = Value;
  else if (Values !== undefined && Counts !== undefined) {
    out.Values = Values;
    out.Counts = Counts;
  }
  if (Timestamp !== undefined) out.Timestamp = Timestamp;
  return out;
}

async function publishAll(deps: FanoutDeps, metrics: readonly NamespacedDatum[]): Promise<PublishOutcome> {
  if (metrics.length === 0) return { published: 0, failed: 0, errors: [] };
  try {
    const outcome = await deps.sink.publish(metrics);
    for (const { code, message, datums } of outcome.errors)
      deps.logger?.log('error', { event: 'publish-failed', code, message, datums });
    return outcome;
  } catch (error) {
    const message = `publishing ${metrics.length} datums failed: ${causeOf(error)}`;
    deps.logger?.log('error', { event: 'publish-failed', code: 'PUBLISH_FAILED', message });
    // the sink gave up on everything it was handed
    const indexes = Array.from({ length: metrics.length }, (_, index) => index);
    return {
      published: 0,
      failed: metrics.length,
      errors: [{ code: 'PUBLISH_FAILED', message, datums: metrics.length, indexes }],
    };
  }
}
