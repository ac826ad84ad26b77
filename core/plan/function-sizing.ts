/**
 * Memory and timeouts of the deployed functions, derived from the probes they run.
 *
 * Query function timeout (seconds):
 *   ceil(max over its databases of ceil(queries / maxConnections) × longest probe timeout) + 10
 * A database's probes (one query each, one per parameter map for a probe with parameters) share
 * its `maxConnections` connections, so in the worst case they run in ceil(queries /
 * maxConnections) rounds, each as long as its longest timeout; databases run side by side. The 10 s cover a cold start, connecting (TLS, IAM token) and mapping the rows. The result
 * is never shorter than the longest probe timeout + 10 s, and at most 900 − 20 s.
 *
 * Fan-out timeout (seconds): the longer of the longest query function timeout and the longest a
 * tick waits for its invocations (a split function's batches run one after another, each waited
 * for up to its longest probe timeout and a margin), + 20, at most 900. The query functions run
 * side by side; the 20 s cover reading secrets and PutMetricData with its retries, so the fan-out
 * outlives the functions it waits for (and a batch that could not finish in time is not started).
 *
 * Memory (MB, a multiple of 64): a query function gets 256 + 1 per 1,000 rows it may hold at once
 * (Σ over its databases of maxConnections × largest maxRows, about 1 KB a row), at most 1,769 (one
 * full vCPU); the fan-out gets 256 + 8 per query function (the responses it holds), at most 3,008.
 */

import { LAMBDA } from '../limits.js';
import { type Config, entryNamed } from '../model.js';
import { allRuns, parameterMaps } from '../probe-runs.js';
import type { FunctionPlan } from './plan.js';

const QUERY_MARGIN_SECONDS = 10;
const FANOUT_MARGIN_SECONDS = 20;
const BASE_MEMORY_MB = 256;
const MAX_QUERY_MEMORY_MB = 1769;
const MAX_FANOUT_MEMORY_MB = 3008;
const FANOUT_MB_PER_FUNCTION = 8;
const ROWS_PER_MB = 1000;

/** Timeout and memory of one function. */
export interface FunctionSize {
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
}

/** Timeout and memory of a query function, from its databases' probes (a query per parameter map). */
export function querySize(config: Config, fn: FunctionPlan): FunctionSize {
  let worstMs = 0;
  let rowsInFlight = 0;
  const served = new Set(fn.probes);
  const runs = allRuns(config.probes).filter((run) => served.has(run.key));
  for (const name of fn.databases) {
    const database = config.databases[name];
    if (!database) continue;
    const probes = runs
      .filter((run) => run.database === name)
      .map((run) => entryNamed(config.probes, run.probe))
      .filter((probe) => probe !== undefined);
    const queries = probes.reduce((sum, probe) => sum + parameterMaps(probe).length, 0);
    const longest = Math.max(0, ...probes.map((probe) => probe.timeoutMs));
    const connections = Math.max(1, database.maxConnections);
    worstMs = Math.max(worstMs, Math.ceil(queries / connections) * longest);
    rowsInFlight += connections * Math.max(0, ...probes.map((probe) => probe.maxRows));
  }
  const timeoutSeconds = Math.min(
    LAMBDA.maxTimeoutSeconds - FANOUT_MARGIN_SECONDS,
    Math.ceil(worstMs / 1000) + QUERY_MARGIN_SECONDS,
  );
  const memoryMb = Math.min(MAX_QUERY_MEMORY_MB, roundUp64(BASE_MEMORY_MB + rowsInFlight / ROWS_PER_MB));
  return { timeoutSeconds, memoryMb };
}

/**
 * Timeout and memory of the fan-out function, from the query functions it invokes and the longest
 * a tick waits for their invocations (`tickDurationBoundMs`).
 */
export function fanoutSize(queryFunctions: readonly FunctionSize[], tickWaitMs = 0): FunctionSize {
  const longest = Math.max(Math.ceil(tickWaitMs / 1000), ...queryFunctions.map((fn) => fn.timeoutSeconds));
  return {
    timeoutSeconds: Math.min(LAMBDA.maxTimeoutSeconds, longest + FANOUT_MARGIN_SECONDS),
    memoryMb: Math.min(
      MAX_FANOUT_MEMORY_MB,
      roundUp64(BASE_MEMORY_MB + FANOUT_MB_PER_FUNCTION * queryFunctions.length),
    ),
  };
}

function roundUp64(mb: number): number {
  return Math.ceil(mb / 64) * 64;
}
