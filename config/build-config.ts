/**
 * A document that passed both phases → the fully defaulted `Config`: defaults applied (probe,
 * then `defaults`, then the top level, then `DEFAULTS`), durations in milliseconds, static
 * dimensions as `{ value }`, ports per engine, paths absolute, each map entry carrying its name.
 */
import { dirname, resolve } from 'node:path';
import type { CloudWatchUnit, StorageResolution } from '../core/limits.js';
import {
  ALARM_STATISTIC_DEFAULTS,
  type AlarmStatistic,
  type AuthConfig,
  type Config,
  type DatabaseConfig,
  DEFAULTS,
  type DimensionSource,
  entryNamed,
  type LocalDatabase,
  type MetricAlarmConfig,
  type MetricConfig,
  type MissingData,
  type ProbeConfig,
  type VpcConfig,
} from '../core/model.js';
import type { ParameterMap } from '../core/probe-parameters.js';
import type { ConfigOptions } from './config-options.js';
import { deepFreeze } from './deep-freeze.js';
import { parseDuration } from './parse-duration.js';

// the document conforms to schema.json here: these shapes are what it allows
interface RawDimensions {
  readonly [name: string]: string | { readonly column: string };
}
interface RawProbeFields {
  readonly database?: string | readonly string[];
  readonly schedule?: string;
  readonly timeout?: string;
  readonly onNull?: ProbeConfig['onNull'];
  readonly onEmpty?: ProbeConfig['onEmpty'];
  readonly maxRows?: number;
  readonly maxSeries?: number;
  readonly dimensions?: RawDimensions;
}
interface RawAlarm {
  readonly above?: number;
  readonly below?: number;
  readonly for?: number;
  readonly datapoints?: number;
  readonly statistic?: AlarmStatistic;
  readonly missing?: MissingData;
}
interface RawMetric {
  readonly name: string;
  readonly column: string;
  readonly unit?: CloudWatchUnit;
  readonly resolution?: StorageResolution;
  readonly dimensions?: RawDimensions;
  readonly alarm?: RawAlarm;
}
interface RawProbe extends RawProbeFields {
  readonly sql: string;
  readonly parameters?: readonly ParameterMap[];
  readonly parameterDimensions?: Readonly<Record<string, string | false>>;
  readonly metrics: readonly RawMetric[];
}
interface RawDatabase {
  readonly engine: string;
  readonly vpc?: string;
  /** present unless `dataApi` is */
  readonly host: string;
  readonly port?: number;
  readonly database: string;
  /** present unless `dataApi` is */
  readonly user: string;
  readonly auth: AuthConfig;
  readonly tls?: boolean;
  readonly maxConnections?: number;
  readonly resourceId?: string;
  readonly dataApi?: { readonly resourceArn: string };
  readonly local?: { readonly url: string } | { readonly pglite: { readonly init?: string } };
}
interface RawVpc {
  readonly vpcId: string;
  readonly subnetIds: readonly string[];
  readonly securityGroupIds?: readonly string[];
  readonly cidrBlocks?: readonly string[];
}
interface RawConfig {
  readonly version: 1;
  readonly namespace: string;
  readonly region?: string;
  readonly schedule?: string;
  readonly publish?: Config['publish'];
  readonly health?: Config['health'];
  readonly alarms?: { readonly topicArn: string };
  readonly logRetentionDays?: number;
  readonly defaults?: RawProbeFields;
  readonly vpcs?: Readonly<Record<string, RawVpc>>;
  readonly databases: Readonly<Record<string, RawDatabase>>;
  readonly probes: Readonly<Record<string, RawProbe>>;
}

function mapValues<T, U>(
  record: Readonly<Record<string, T>> | undefined,
  f: (value: T, name: string) => U,
): Record<string, U> {
  const result: Record<string, U> = {};
  for (const [name, value] of Object.entries(record ?? {})) result[name] = f(value, name);
  return result;
}

function dimensions(raw: RawDimensions | undefined): Record<string, DimensionSource> {
  return mapValues(raw, (source) =>
    typeof source === 'string' ? { value: source } : { column: source.column },
  );
}

/** An alarm's defaults: every period breaching, the statistic its side implies, missing data missing. */
function alarm(raw: RawAlarm): MetricAlarmConfig {
  const comparison = raw.above === undefined ? 'below' : 'above';
  const periods = raw.for ?? DEFAULTS.alarmFor;
  return {
    comparison,
    threshold: raw.above ?? raw.below ?? 0,
    for: periods,
    datapoints: raw.datapoints ?? periods,
    statistic: raw.statistic ?? ALARM_STATISTIC_DEFAULTS[comparison],
    missing: raw.missing ?? DEFAULTS.alarmMissing,
  };
}

/** Each parameter's dimension, in the maps' order (every map names the same parameters): its own name unless renamed or `false`. */
function parameterDimensions(
  maps: readonly ParameterMap[],
  given: Readonly<Record<string, string | false>>,
): Record<string, string | false> {
  const dimensions: Record<string, string | false> = {};
  for (const parameter of Object.keys(maps[0] ?? {}))
    dimensions[parameter] = entryNamed(given, parameter) ?? parameter;
  return dimensions;
}

/** Builds the frozen `Config` of a valid document read from `file` (an absolute path). */
export function buildConfig(document: unknown, file: string, options: ConfigOptions): Config {
  const raw = document as RawConfig;
  const folder = dirname(file);
  const defaults = raw.defaults ?? {};
  const schedule = raw.schedule ?? DEFAULTS.schedule;
  const region = raw.region ?? options.region;

  const vpcs = mapValues(
    raw.vpcs,
    (vpc, name): VpcConfig => ({
      name,
      vpcId: vpc.vpcId,
      subnetIds: [...vpc.subnetIds],
      ...(vpc.securityGroupIds ? { securityGroupIds: [...vpc.securityGroupIds] } : {}),
      ...(vpc.cidrBlocks ? { cidrBlocks: [...vpc.cidrBlocks] } : {}),
    }),
  );

  const databases = mapValues(raw.databases, (db, name): DatabaseConfig => {
    let local: LocalDatabase | undefined;
    if (db.local && 'url' in db.local) local = { url: db.local.url };
    else if (db.local && 'pglite' in db.local) {
      const init = db.local.pglite.init;
      local = { pglite: init === undefined ? {} : { init: resolve(folder, init) } };
    }
    // the cross-checks made sure a Data API database logs in with a secret and names no host
    if (db.dataApi !== undefined && db.auth.type === 'secret') {
      return {
        name,
        engine: db.engine,
        database: db.database,
        auth: { ...db.auth },
        maxConnections: db.maxConnections ?? DEFAULTS.maxConnections,
        dataApi: { resourceArn: db.dataApi.resourceArn },
        ...(local === undefined ? {} : { local }),
      };
    }
    return {
      name,
      engine: db.engine,
      ...(db.vpc === undefined ? {} : { vpc: db.vpc }),
      host: db.host,
      port: db.port ?? entryNamed(options.engines, db.engine)?.defaultPort ?? 0,
      database: db.database,
      user: db.user,
      auth: { ...db.auth },
      tls: db.tls ?? DEFAULTS.tls,
      maxConnections: db.maxConnections ?? DEFAULTS.maxConnections,
      ...(db.resourceId === undefined ? {} : { resourceId: db.resourceId }),
      ...(local === undefined ? {} : { local }),
    };
  });

  const probes = mapValues(raw.probes, (probe, name): ProbeConfig => {
    const timeout = probe.timeout ?? defaults.timeout;
    const database = probe.database ?? defaults.database ?? '';
    const parameters = (probe.parameters ?? []).map((map) => ({ ...map }));
    return {
      name,
      database: typeof database === 'string' ? database : [...database],
      sql: probe.sql,
      parameters,
      parameterDimensions: parameterDimensions(parameters, probe.parameterDimensions ?? {}),
      schedule: probe.schedule ?? defaults.schedule ?? schedule,
      timeoutMs: (timeout === undefined ? undefined : parseDuration(timeout)) ?? DEFAULTS.timeoutMs,
      onNull: probe.onNull ?? defaults.onNull ?? DEFAULTS.onNull,
      onEmpty: probe.onEmpty ?? defaults.onEmpty ?? DEFAULTS.onEmpty,
      maxRows: probe.maxRows ?? defaults.maxRows ?? DEFAULTS.maxRows,
      maxSeries: probe.maxSeries ?? defaults.maxSeries ?? DEFAULTS.maxSeries,
      dimensions: dimensions(probe.dimensions ?? defaults.dimensions),
      metrics: probe.metrics.map(
        (metric): MetricConfig => ({
          name: metric.name,
          column: metric.column,
          unit: metric.unit ?? DEFAULTS.unit,
          resolution: metric.resolution ?? DEFAULTS.resolution,
          dimensions: dimensions(metric.dimensions),
          ...(metric.alarm ? { alarm: alarm(metric.alarm) } : {}),
        }),
      ),
    };
  });

  return deepFreeze({
    file,
    version: 1,
    namespace: raw.namespace,
    ...(region === undefined ? {} : { region }),
    schedule,
    publish: raw.publish ?? DEFAULTS.publish,
    health: raw.health ?? DEFAULTS.health,
    ...(raw.alarms ? { alarms: { topicArn: raw.alarms.topicArn } } : {}),
    logRetentionDays: raw.logRetentionDays ?? DEFAULTS.logRetentionDays,
    vpcs,
    databases,
    probes,
  });
}
