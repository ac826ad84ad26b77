/**
 * The private query function's logic (the Lambda handler is a thin wrapper around it): it runs
 * only the probes it was deployed with, each database's probes with bounded concurrency and a
 * client-side deadline, maps rows to metric data inside the VPC, and returns only metric data and
 * one report per requested probe run, under Lambda's 6 MiB response limit.
 *
 * A request names probe runs (`core/probe-runs.ts`): a probe, or a fleet probe on one of its
 * databases. A probe with parameters queries once per parameter map, each query queued and
 * limited like a probe of its own; its report sums them up (ok when all are, the first failure's
 * error) and the datums of the maps that succeeded are returned all the same.
 */
import type { Deadline } from '../deadline.js';
import { causeOf } from '../error-cause.js';
import { LAMBDA } from '../limits.js';
import type { QueryManifest } from '../manifest.js';
import type { MetricDatum, ProbeReport } from '../metric-data.js';
import { entryNamed, formatDuration } from '../model.js';
import type {
  DatabaseCredentials,
  DatabasePool,
  DatabaseWarningReport,
  Logger,
  QueryResponse,
  Row,
} from '../ports.js';
import { type ErrorCode, ProbeError } from '../probe-error.js';
import { describeParameters, type ParameterMap, refusedParameters } from '../probe-parameters.js';
import {
  allRuns,
  isFleet,
  parameterMaps,
  parseRunKey,
  probeDatabases,
  runLabel,
  runProbe,
} from '../probe-runs.js';
import { refusedProbeSql, type SqlDialect } from '../probe-sql.js';
import { type DeadlineTimer, startDeadline } from './deadline-timer.js';
import { mapRows } from './map-rows.js';
import { parseQueryRequest } from './query-request.js';

/** A database as a query function is deployed with it. */
export type DeployedDatabase = QueryManifest['databases'][string];
type DeployedProbe = QueryManifest['probes'][string];

/** What a query function needs from the world. */
export interface QueryFunctionDeps {
  /**
   * Opens the pool of one database; called once per database per function instance (again only
   * after a failed attempt). `credentials()` returns the latest credentials handed over for it by
   * an invocation (`auth: secret`), to be read for each new connection.
   */
  openPool(
    database: DeployedDatabase,
    credentials: () => DatabaseCredentials | undefined,
  ): DatabasePool | Promise<DatabasePool>;
  /**
   * The SQL rules of an engine (the function's own, never the manifest's): a probe whose SQL they
   * refuse is not run. Undefined for an engine the function does not know: its probes are not run.
   */
  sqlDialect(engine: string): SqlDialect | undefined;
  /** one structured line per probe outcome; default: none */
  readonly logger?: Logger;
  /** a monotonic clock in milliseconds; default `performance.now` */
  readonly now?: () => number;
  /** the largest serialized response; default Lambda's 6 MiB */
  readonly maxResponseBytes?: number;
}

/** Runs one invocation's request; rejects (running nothing) when the payload is malformed. */
export interface QueryFunction {
  (request: unknown): Promise<QueryResponse>;
  /** closes every pool it opened; for local runs and tests (Lambda just freezes the instance) */
  close(): Promise<void>;
}

interface ProbeResult {
  report: ProbeReport;
  metrics: readonly MetricDatum[];
}

/** One query of a probe run: the probe as that query runs it (`runProbe`), on one database, with one parameter map. */
interface Query {
  readonly probe: DeployedProbe;
  readonly database: DeployedDatabase;
  /** the values bound to its placeholders; absent without parameters */
  readonly parameters?: ParameterMap;
}

/**
 * @example
 * const run = createQueryFunction(manifest, { openPool });
 * const { reports, metrics } = await run({ probes: ['active-sessions'] });
 */
export function createQueryFunction(manifest: QueryManifest, deps: QueryFunctionDeps): QueryFunction {
  const now = deps.now ?? (() => performance.now());
  const maxResponseBytes = deps.maxResponseBytes ?? LAMBDA.maxPayloadBytes;
  const keys = allRuns(manifest.probes).map((run) => run.key);
  const requestLimits = {
    databases: Object.keys(manifest.databases),
    maxProbes: keys.length,
    maxNameLength: Math.max(0, ...keys.map((key) => key.length)),
  };
  // created once per instance and reused by warm invocations
  const pools = new Map<string, Promise<DatabasePool>>();
  // a manifest is data: its SQL and parameters are checked against the function's own rules, once
  // per probe and engine (a fleet may span engines)
  const refusals = new Map<string, string | null>();
  const refusalOf = (probe: DeployedProbe, database: DeployedDatabase): string | undefined => {
    const key = `${probe.name}\u0000${database.engine}`;
    let refusal = refusals.get(key);
    if (refusal === undefined) {
      const dialect = deps.sqlDialect(database.engine);
      refusal = dialect
        ? (refusedProbeSql(probe.sql, dialect) ??
          (probe.parameters.length > 0
            ? refusedParameters(probe.sql, dialect, probe.parameters)
            : undefined) ??
          null)
        : `this function knows no SQL rules for engine '${database.engine}'`;
      refusals.set(key, refusal);
    }
    return refusal ?? undefined;
  };
  // each run's queries, made once per instance: the row mapping keeps its layout per probe object
  const queriesOfRun = new Map<string, readonly Query[]>();
  const queriesOf = (key: string, probe: DeployedProbe, database: DeployedDatabase): readonly Query[] => {
    let queries = queriesOfRun.get(key);
    if (!queries) {
      queries = parameterMaps(probe).map((map) => ({
        probe: runProbe(probe, database.name, map),
        database,
        ...(probe.parameters.length > 0 ? { parameters: map } : {}),
      }));
      queriesOfRun.set(key, queries);
    }
    return queries;
  };
  /** the probe and database a requested run names, when this function serves it */
  const resolve = (key: string): { probe: DeployedProbe; database: DeployedDatabase } | undefined => {
    const named = parseRunKey(key);
    const probe = entryNamed(manifest.probes, named.probe);
    if (!probe || isFleet(probe) !== (named.database !== undefined)) return undefined;
    const name = named.database ?? probeDatabases(probe)[0] ?? '';
    const database = probeDatabases(probe).includes(name) ? entryNamed(manifest.databases, name) : undefined;
    return database ? { probe, database } : undefined;
  };
  const credentials = new Map<string, DatabaseCredentials>();

  const poolFor = (database: DeployedDatabase): Promise<DatabasePool> => {
    let pool = pools.get(database.name);
    if (!pool) {
      pool = Promise.resolve()
        .then(() => deps.openPool(database, () => credentials.get(database.name)))
        .catch((error: unknown) => {
          // a failed opening is retried by the next invocation
          pools.delete(database.name);
          throw error instanceof ProbeError
            ? error
            : new ProbeError('CONNECTION_FAILED', `could not open a connection pool: ${causeOf(error)}`, {
                cause: error,
              });
        });
      pools.set(database.name, pool);
    }
    return pool;
  };

  /**
   * One query on an open pool, under the deadline its database's queries with its timeout share;
   * `started` is when they all started (its duration counts from there, waiting included).
   */
  const runQuery = async (
    { probe, database, parameters }: Query,
    pool: DatabasePool,
    deadline: Deadline,
    started: number,
  ): Promise<ProbeResult> => {
    const { name } = probe;
    const label = runLabel(name, database.name, parameters);
    // `probe 'p'` in timeout messages, with the parameters of the query that timed out
    const who = parameters ? `probe '${name}' (${describeParameters(parameters)})` : `probe '${name}'`;
    // the deadline also covers waiting for a connection: a query still queued when it passed never runs
    if (deadline.expired) {
      const message = `${who} exceeded its ${formatDuration(probe.timeoutMs)} timeout waiting for one of database '${database.name}''s ${database.maxConnections} connections (maxConnections)`;
      return failed(name, database.name, 0, now() - started, 'TIMEOUT', message);
    }
    let rows: readonly Row[];
    try {
      // the server stops the statement at the probe's timeout; the deadline, which also counts the
      // wait for a connection, is the client's, and the pool gives up at it itself (no second
      // listener here)
      rows = await pool.query(probe.sql, {
        timeoutMs: probe.timeoutMs,
        maxRows: probe.maxRows,
        deadline,
        ...(parameters ? { parameters } : {}),
      });
    } catch (error) {
      const elapsed = now() - started;
      if (error instanceof ProbeError && error.code === 'TIMEOUT') {
        const message = `${who} exceeded its ${formatDuration(probe.timeoutMs)} timeout`;
        return failed(name, database.name, 0, elapsed, 'TIMEOUT', message);
      }
      const code = error instanceof ProbeError ? error.code : 'QUERY_FAILED';
      return failed(name, database.name, 0, elapsed, code, `${label}: ${causeOf(error)}`);
    }
    const elapsed = now() - started;
    if (rows.length > probe.maxRows) {
      const message = `${label} returned more than ${probe.maxRows} rows (maxRows: ${probe.maxRows})`;
      return failed(name, database.name, rows.length, elapsed, 'TOO_MANY_ROWS', message);
    }
    try {
      const metrics = mapRows(probe, rows);
      return {
        report: {
          probe: name,
          database: database.name,
          ok: true,
          rows: rows.length,
          durationMs: round(elapsed),
        },
        metrics,
      };
    } catch (error) {
      const code = error instanceof ProbeError ? error.code : 'INVALID_VALUE';
      return failed(name, database.name, rows.length, elapsed, code, causeOf(error));
    }
  };

  /**
   * One database's queries of an invocation, in request order, run by at most `maxConnections`
   * workers: a query waiting for a connection is only an entry in the queue. All of them start at
   * once, so the queries with the same timeout share one deadline. Each query's result goes to
   * `results` at its index.
   */
  const runDatabase = async (
    database: DeployedDatabase,
    queries: readonly { readonly query: Query; readonly index: number }[],
    results: ProbeResult[],
    warnings: DatabaseWarningReport[],
  ): Promise<void> => {
    let pool: DatabasePool;
    try {
      // opening a pool connects nothing (an embedded database may start up): not the probes' time
      pool = await poolFor(database);
    } catch (error) {
      const code = error instanceof ProbeError ? error.code : 'CONNECTION_FAILED';
      for (const { query, index } of queries) {
        const label = runLabel(query.probe.name, database.name, query.parameters);
        results[index] = failed(query.probe.name, database.name, 0, 0, code, `${label}: ${causeOf(error)}`);
      }
      return;
    }
    const started = now();
    const deadlines = new Map<number, DeadlineTimer>();
    const deadlineFor = (timeoutMs: number): DeadlineTimer => {
      let deadline = deadlines.get(timeoutMs);
      if (!deadline) {
        deadline = startDeadline(timeoutMs - (now() - started));
        deadlines.set(timeoutMs, deadline);
      }
      return deadline;
    };
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let entry = queries[next++]; entry !== undefined; entry = queries[next++]) {
        const { query, index } = entry;
        results[index] = await runQuery(query, pool, deadlineFor(query.probe.timeoutMs), started);
      }
    };
    try {
      const workers = Math.max(1, Math.min(database.maxConnections, queries.length));
      await Promise.all(Array.from({ length: workers }, worker));
      // a statement given up on is cancelled before the response: a frozen instance cancels nothing
      await pool.settled();
    } finally {
      for (const deadline of deadlines.values()) deadline.cancel();
    }
    for (const warning of pool.warnings()) warnings.push({ database: database.name, ...warning });
  };

  const run = async (payload: unknown): Promise<QueryResponse> => {
    let request: ReturnType<typeof parseQueryRequest>;
    try {
      request = parseQueryRequest(payload, requestLimits);
    } catch (error) {
      deps.logger?.log('error', { event: 'request-refused', reason: causeOf(error) });
      throw error;
    }
    for (const [database, given] of Object.entries(request.credentials ?? {}))
      credentials.set(database, given);
    const keys = [...new Set(request.probes)];
    // per requested run: its result, or the positions of its queries' results
    const outcomes: (ProbeResult | { readonly first: number; readonly count: number })[] = [];
    const results: ProbeResult[] = [];
    const perDatabase = new Map<DeployedDatabase, { query: Query; index: number }[]>();
    for (const key of keys) {
      const found = resolve(key);
      if (!found) {
        const named = parseRunKey(key);
        const what =
          named.database === undefined
            ? `probe '${key}'`
            : `probe '${named.probe}' on database '${named.database}'`;
        outcomes.push(
          failed(
            named.probe,
            named.database ?? '',
            0,
            0,
            'UNKNOWN_PROBE',
            `${what} is not deployed with this function`,
          ),
        );
        continue;
      }
      const { probe, database } = found;
      const refusal = refusalOf(probe, database);
      if (refusal !== undefined) {
        const message = `${runLabel(probe.name, database.name)} was not run: ${refusal}`;
        outcomes.push(failed(probe.name, database.name, 0, 0, 'QUERY_FAILED', message));
        continue;
      }
      const queries = queriesOf(key, probe, database);
      outcomes.push({ first: results.length, count: queries.length });
      const queue = perDatabase.get(database) ?? [];
      for (const query of queries) queue.push({ query, index: results.length++ });
      perDatabase.set(database, queue);
    }
    const warnings: DatabaseWarningReport[] = [];
    await Promise.all(
      [...perDatabase].map(([database, queries]) => runDatabase(database, queries, results, warnings)),
    );
    // the warnings (a few short lines, one per database at most) take their room first
    const warningBytes = warnings.length > 0 ? 3 * JSON.stringify({ warnings }).length : 0;
    const fitted = fitResponse(
      outcomes.map((outcome) =>
        'report' in outcome ? outcome : combined(results.slice(outcome.first, outcome.first + outcome.count)),
      ),
      maxResponseBytes - warningBytes,
    );
    const response = warnings.length > 0 ? { ...fitted, warnings } : fitted;
    for (const warning of warnings) deps.logger?.log('warn', { event: 'database-warning', ...warning });
    for (const report of response.reports) {
      deps.logger?.log(report.ok ? 'info' : 'error', {
        event: 'probe',
        probe: report.probe,
        database: report.database,
        ok: report.ok,
        rows: report.rows,
        durationMs: report.durationMs,
        ...(report.error ? { code: report.error.code, message: report.error.message } : {}),
      });
    }
    return response;
  };

  const close = async (): Promise<void> => {
    const opened = [...pools.values()];
    pools.clear();
    await Promise.all(opened.map((pool) => pool.then((p) => p.close()).catch(() => undefined)));
  };

  return Object.assign(run, { close });
}

/**
 * The result of a probe run from its queries' (one per parameter map, in order): ok when all are,
 * their rows summed, the longest duration (they ran side by side), the first failure's error, and
 * the metric data of those that succeeded.
 */
function combined(queries: readonly ProbeResult[]): ProbeResult {
  const [only] = queries;
  if (only && queries.length === 1) return only;
  const failure = queries.find((query) => !query.report.ok)?.report.error;
  const { probe = '', database = '' } = only?.report ?? {};
  return {
    report: {
      probe,
      database,
      ok: failure === undefined,
      rows: queries.reduce((sum, query) => sum + query.report.rows, 0),
      durationMs: Math.max(0, ...queries.map((query) => query.report.durationMs)),
      ...(failure ? { error: failure } : {}),
    },
    metrics: queries.flatMap((query) => query.metrics),
  };
}

/**
 * Keeps the serialized response under `maxBytes`: while over, the probe with the most metric
 * data loses it and reports `PAYLOAD_TOO_LARGE` with its size.
 */
function fitResponse(results: ProbeResult[], maxBytes: number): QueryResponse {
  const current = [...results];
  let sizes: number[] | undefined;
  for (;;) {
    const response = responseOf(current);
    if (fits(JSON.stringify(response), maxBytes)) return response;
    sizes ??= current.map((result) => byteLength(JSON.stringify(result.metrics)));
    const known = sizes;
    let largest = -1;
    current.forEach((result, index) => {
      if (result.metrics.length > 0 && (largest < 0 || (known[index] ?? 0) > (known[largest] ?? 0)))
        largest = index;
    });
    const victim = current[largest];
    // nothing left to drop: only the reports remain, and they are small
    if (!victim) return response;
    const size = known[largest] ?? 0;
    const { probe, database, rows, durationMs } = victim.report;
    current[largest] = failed(
      probe,
      database,
      rows,
      durationMs,
      'PAYLOAD_TOO_LARGE',
      `probe '${probe}' (database '${database}') produced ${size} bytes of metric data, more than fits in Lambda's ${maxBytes}-byte response`,
    );
    known[largest] = 0;
  }
}

function responseOf(results: readonly ProbeResult[]): QueryResponse {
  const reports: ProbeReport[] = [];
  const metrics: MetricDatum[] = [];
  const metricsPerReport: number[] = [];
  for (const result of results) {
    reports.push(result.report);
    metricsPerReport.push(result.metrics.length);
    for (const datum of result.metrics) metrics.push(datum);
  }
  return { reports, metrics, metricsPerReport };
}

/** The longest error message a report carries: a driver may quote a whole statement or value. */
const MAX_MESSAGE_LENGTH = 1024;

function failed(
  probe: string,
  database: string,
  rows: number,
  elapsedMs: number,
  code: ErrorCode,
  message: string,
): ProbeResult {
  const capped =
    message.length > MAX_MESSAGE_LENGTH ? `${message.slice(0, MAX_MESSAGE_LENGTH - 1)}…` : message;
  return {
    report: {
      probe,
      database,
      ok: false,
      rows,
      durationMs: round(elapsedMs),
      error: { code, message: capped },
    },
    metrics: [],
  };
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

const encoder = new TextEncoder();

function byteLength(text: string): number {
  return encoder.encode(text).length;
}

// UTF-8 takes at most 3 bytes per UTF-16 unit: most responses need no encoding to know they fit
function fits(text: string, maxBytes: number): boolean {
  return text.length * 3 <= maxBytes || byteLength(text) <= maxBytes;
}
