/**
 * The manifests each deployed function is deployed with, built from the config and the plan.
 * `chasm run` builds the same ones in memory.
 */

import { metricDimensions } from '../dimensions.js';
import { CLOUDWATCH } from '../limits.js';
import type { FanoutManifest, QueryManifest } from '../manifest.js';
import { type Config, entryNamed, type MetricConfig, type ProbeConfig } from '../model.js';
import { isFleet, parameterMaps, parseRunKey, probeDatabases, probeRuns, runProbe } from '../probe-runs.js';
import type { FunctionPlan, Plan } from './plan.js';

/** A query function's manifest: its own databases (without `local` blocks) and probes only. */
export function queryManifest(config: Config, fn: FunctionPlan): QueryManifest {
  const databases: Record<string, QueryManifest['databases'][string]> = {};
  for (const name of fn.databases) {
    const database = entryNamed(config.databases, name);
    if (!database) continue;
    const { local: _local, ...deployed } = database;
    databases[name] = deployed;
  }
  const probes: Record<string, ProbeConfig> = {};
  for (const key of fn.probes) {
    const name = parseRunKey(key).probe;
    const probe = entryNamed(config.probes, name);
    if (!probe || Object.hasOwn(probes, name)) continue;
    // a fleet member of another VPC is none of this function's business
    probes[name] = isFleet(probe)
      ? { ...probe, database: probeDatabases(probe).filter((database) => fn.databases.includes(database)) }
      : probe;
  }
  return { namespace: config.namespace, publish: config.publish, health: config.health, databases, probes };
}

/**
 * The fan-out function's manifest: who serves which probe, with timeouts and size bounds; SQL
 * only for the probes it runs itself, on Data API databases.
 */
export function fanoutManifest(plan: Plan): FanoutManifest {
  const { config } = plan;
  const probes: Record<string, FanoutManifest['probes'][string]> = {};
  for (const fn of plan.dataApi ? [...plan.functions, plan.dataApi] : plan.functions) {
    for (const key of fn.probes) {
      const probe = entryNamed(config.probes, parseRunKey(key).probe);
      const run = probe && probeRuns(probe).find((candidate) => candidate.key === key);
      if (!probe || !run) continue;
      probes[key] = {
        probe: probe.name,
        database: run.database,
        functionId: fn.id,
        timeoutMs: probe.timeoutMs,
        maxResponseBytes: maxResponseBytes(probe, run.database),
      };
    }
  }
  const secrets: Record<string, string> = {};
  for (const database of Object.values(config.databases)) {
    // the Data API reads a Data API database's secret itself
    if (database.auth.type === 'secret' && database.dataApi === undefined)
      secrets[database.name] = database.auth.secretArn;
  }
  return {
    namespace: config.namespace,
    health: config.health,
    functions: plan.functions,
    ...(plan.dataApi
      ? { dataApi: { function: plan.dataApi, manifest: queryManifest(config, plan.dataApi) } }
      : {}),
    probes,
    secrets,
  };
}

/** The most bytes one probe's report takes in a response (names, a code, a message with a cut value). */
export const REPORT_BYTES_BOUND = 2048;

/** The longest JSON text of a value within ±2^360, e.g. `-1.2345678901234567e+108`. */
const VALUE_JSON_BOUND = 24;

/**
 * An upper bound of the bytes a probe's metric data and report on `database` (default: its first)
 * take in a query function's response, from the config alone. Per run (each parameter map) and
 * metric: every datum's fixed part (its name, unit and dimensions, the run's own included, a
 * column's value counted at 1024 characters, doubled for JSON escapes) times the most datums it
 * can produce (one series without column dimensions, else `maxSeries`, plus one per 150 distinct
 * values), and every row's value and count (`maxRows` of them at most).
 */
export function maxResponseBytes(probe: ProbeConfig, database = probeDatabases(probe)[0] ?? ''): number {
  let bytes = REPORT_BYTES_BOUND;
  for (const map of parameterMaps(probe)) {
    const run = runProbe(probe, database, map);
    for (const metric of run.metrics) bytes += metricBytesBound(run, metric);
  }
  return bytes;
}

/** `{"MetricName":,"Dimensions":[],"Unit":,"StorageResolution":60,"Values":[],"Counts":[]}` and a comma (87), rounded up */
const DATUM_FRAME_BYTES = 96;
/** `{"Name":,"Value":}` and a comma (19), rounded up */
const DIMENSION_FRAME_BYTES = 24;

/** the longest JSON text of a string: names and static values are printable ASCII, so only `"` and `\` escape */
function jsonStringBound(text: string): number {
  return 2 + 2 * text.length;
}

function metricBytesBound(probe: ProbeConfig, metric: MetricConfig): number {
  let columns = 0;
  // a column's value is counted as the longest allowed, every character escaped
  let datumBytes = DATUM_FRAME_BYTES + jsonStringBound(metric.name) + jsonStringBound(metric.unit);
  for (const [name, source] of metricDimensions(probe, metric)) {
    datumBytes += DIMENSION_FRAME_BYTES + jsonStringBound(name);
    if ('column' in source) {
      columns += 1;
      datumBytes += 2 + 2 * CLOUDWATCH.maxDimensionValueLength;
    } else datumBytes += jsonStringBound(source.value);
  }
  const series = columns > 0 ? probe.maxSeries : 1;
  const datums = Math.max(
    1,
    Math.min(probe.maxRows, series + Math.floor(probe.maxRows / CLOUDWATCH.maxValuesPerDatum)),
  );
  const valueBytes = probe.maxRows * (VALUE_JSON_BOUND + 1 + String(probe.maxRows).length + 1);
  return datums * datumBytes + valueBytes;
}
