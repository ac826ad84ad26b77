/**
 * The second phase: what `schema.json` cannot say. References resolve, each probe's SQL is one
 * query statement its engine allows (`core/probe-sql.ts`), CloudWatch's per-metric limits hold across probe and metric dimensions, schedules
 * and durations make sense, `local` blocks fit their engine, `publish: emf` never meets a secret,
 * a VPC's `cidrBlocks` are networks and come only where Chasm creates the security group, every
 * ARN is in the stack's region, each metric's alarm is one CloudWatch can evaluate and notify
 * (`alarm-checks.ts`), a `dataApi:` database logs in with a secret, names nothing of a
 * connection and gives its probes no longer than the Data API's 45 s.
 *
 * It runs on documents the schema may have rejected, so it checks every value's type before use
 * and skips values the schema already reported. It stays linear in the size of the file. Names
 * from the file are looked up as own keys only, so `database: toString` names no database.
 */

import { CLOUDWATCH, LAMBDA, RDS_DATA_API } from '../core/limits.js';
import { DEFAULTS, entryNamed } from '../core/model.js';
import { parseSchedule } from '../core/plan/schedule.js';
import { DATABASE_DIMENSION } from '../core/probe-runs.js';
import { POSTGRES_SQL, refusedProbeSql, type SqlDialect } from '../core/probe-sql.js';
import { type AlarmContext, checkAlarm } from './alarm-checks.js';
import { checkArnRegions } from './arn-regions.js';
import { didYouMean } from './closest-match.js';
import type { ConfigOptions } from './config-options.js';
import { checkParameters, type RunDimension } from './parameter-checks.js';
import { parseDuration } from './parse-duration.js';
import { type PendingIssue, pointerOf } from './pending-issue.js';

type Entries = Readonly<Record<string, unknown>>;

function isMap(value: unknown): value is Entries {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function mapOf(value: unknown): Entries {
  return isMap(value) ? value : {};
}

function listOf(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

function known(names: readonly string[], what: string): string {
  return names.length === 0 ? `; no ${what} are defined` : `; defined: ${names.join(', ')}`;
}

export function crossCheck(
  document: unknown,
  options: ConfigOptions,
  reported: ReadonlySet<string>,
): PendingIssue[] {
  const issues: PendingIssue[] = [];
  // one issue per place: where the schema already objected, say nothing more
  const add = (path: readonly string[], at: PendingIssue['at'], message: string) => {
    if (!reported.has(pointerOf(path))) issues.push({ path, at, message });
  };
  const root = mapOf(document);
  const vpcs = mapOf(root.vpcs);
  const databases = mapOf(root.databases);
  const defaults = mapOf(root.defaults);

  checkSchedule(root.schedule, ['schedule'], add);
  checkArnRegions(root, options.region, reported, add);
  checkVpcs(vpcs, add);
  checkDatabases(root, databases, vpcs, options, add);
  checkSchedule(defaults.schedule, ['defaults', 'schedule'], add);
  checkTimeout(defaults.timeout, ['defaults', 'timeout'], add);
  checkDatabaseReference(defaults.database, ['defaults', 'database'], databases, add);
  for (const [name, probe] of Object.entries(mapOf(root.probes))) {
    if (!isMap(probe)) continue;
    checkProbe(name, probe, { root, defaults, databases, options, reported }, add);
  }
  return issues;
}

/** what sets a fleet member's Database dimension, in words */
const FLEET = 'its fleet';

type Add = (path: readonly string[], at: PendingIssue['at'], message: string) => void;

function checkSchedule(value: unknown, path: readonly string[], add: Add): void {
  if (typeof value !== 'string') return;
  const parsed = parseSchedule(value);
  if ('error' in parsed) add(path, 'value', `invalid schedule '${value}': ${parsed.error}`);
}

function checkTimeout(value: unknown, path: readonly string[], add: Add): void {
  if (typeof value !== 'string') return;
  const ms = parseDuration(value);
  if (ms === undefined) return;
  if (ms === 0) add(path, 'value', `timeout '${value}' must be longer than zero`);
  const max = LAMBDA.maxTimeoutSeconds * 1000;
  if (ms > max) add(path, 'value', `timeout '${value}' is longer than a Lambda function may run (15m)`);
}

function unknownDatabase(name: string, databases: Entries): string {
  const names = Object.keys(databases);
  return `unknown database '${name}'${didYouMean(name, names) || known(names, 'databases')}`;
}

/** `database:` names a database, or each item of a fleet's list does */
function checkDatabaseReference(value: unknown, path: readonly string[], databases: Entries, add: Add): void {
  if (typeof value === 'string' && !Object.hasOwn(databases, value)) {
    add(path, 'value', unknownDatabase(value, databases));
  }
  listOf(value).forEach((item, index) => {
    if (typeof item === 'string' && !Object.hasOwn(databases, item)) {
      add([...path, String(index)], 'value', unknownDatabase(item, databases));
    }
  });
}

/** The SQL dialects of the databases `names`, each with its engines; Postgres's when none is known. */
function dialectsOf(
  names: readonly unknown[],
  databases: Entries,
  options: ConfigOptions,
): Map<SqlDialect, string[]> {
  const dialects = new Map<SqlDialect, string[]>();
  for (const name of names) {
    const engineName = typeof name === 'string' ? mapOf(entryNamed(databases, name)).engine : undefined;
    const engine = typeof engineName === 'string' ? entryNamed(options.engines, engineName) : undefined;
    if (!engine || typeof engineName !== 'string') continue;
    const dialect = engine.sqlDialect ?? POSTGRES_SQL;
    const engines = dialects.get(dialect) ?? [];
    if (!engines.includes(engineName)) engines.push(engineName);
    dialects.set(dialect, engines);
  }
  if (dialects.size === 0) dialects.set(POSTGRES_SQL, ['postgres']);
  return dialects;
}

function checkVpcs(vpcs: Entries, add: Add): void {
  for (const [name, vpc] of Object.entries(vpcs)) {
    if (!isMap(vpc) || vpc.cidrBlocks === undefined) continue;
    const path = ['vpcs', name, 'cidrBlocks'];
    if (vpc.securityGroupIds !== undefined) {
      add(
        path,
        'key',
        `cidrBlocks only shapes the security group Chasm creates, and VPC '${name}' names its own securityGroupIds (their rules apply); remove cidrBlocks, or securityGroupIds to let Chasm create one`,
      );
      continue;
    }
    listOf(vpc.cidrBlocks).forEach((block, index) => {
      const network = typeof block === 'string' ? networkOf(block) : undefined;
      if (network !== undefined && network !== block) {
        add(
          [...path, String(index)],
          'value',
          `CIDR block '${String(block)}' has host bits set; EC2 would store it as ${network}, so write ${network}`,
        );
      }
    });
  }
}

/** `a.b.c.d/n` with its host bits cleared; undefined for what is not an IPv4 CIDR block (the schema says so) */
function networkOf(block: string): string | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(block);
  if (!match) return undefined;
  const [octets, prefix] = [match.slice(1, 5).map(Number), Number(match[5])];
  if (octets.some((octet) => octet > 255) || prefix > 32) return undefined;
  // plain arithmetic: bitwise operators would turn addresses above 2^31 negative
  const address = octets.reduce((sum, octet) => sum * 256 + octet, 0);
  const size = 2 ** (32 - prefix);
  const network = address - (address % size);
  const parts = [24, 16, 8, 0].map((shift) => Math.floor(network / 2 ** shift) % 256);
  return `${parts.join('.')}/${prefix}`;
}

function checkDatabases(
  root: Entries,
  databases: Entries,
  vpcs: Entries,
  options: ConfigOptions,
  add: Add,
): void {
  const vpcNames = Object.keys(vpcs);
  for (const [name, database] of Object.entries(databases)) {
    if (!isMap(database)) continue;
    const path = ['databases', name];
    const engineName = database.engine;
    const engine = typeof engineName === 'string' ? entryNamed(options.engines, engineName) : undefined;
    if (typeof engineName === 'string' && !engine) {
      const names = Object.keys(options.engines);
      add(
        [...path, 'engine'],
        'value',
        `engine '${engineName}' is not available${didYouMean(engineName, names)}; available: ${names.join(', ')}`,
      );
    }
    const vpc = database.vpc;
    if (typeof vpc === 'string' && !Object.hasOwn(vpcs, vpc)) {
      add(
        [...path, 'vpc'],
        'value',
        `unknown VPC '${vpc}'${didYouMean(vpc, vpcNames) || known(vpcNames, "VPCs under 'vpcs'")}`,
      );
    }
    const auth = mapOf(database.auth);
    if (database.dataApi !== undefined) checkDataApi(name, database, auth, add);
    if (root.publish === 'emf' && auth.type === 'secret') {
      add(
        [...path, 'auth'],
        'value',
        `database '${name}' uses auth type 'secret', which publish: emf cannot serve (no public function fetches the secret); use auth type 'iam' or publish: fanout`,
      );
    }
    const local = mapOf(database.local);
    if (engine && typeof engineName === 'string' && typeof local.url === 'string') {
      const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(local.url)?.[1]?.toLowerCase();
      const schemes = engine.urlSchemes ?? [engineName];
      if (scheme !== undefined && !schemes.includes(scheme)) {
        add(
          [...path, 'local', 'url'],
          'value',
          `local url scheme '${scheme}:' does not fit engine '${engineName}'; use ${schemes.map((s) => `${s}://`).join(' or ')}`,
        );
      }
    }
    if (engine && Object.hasOwn(local, 'pglite') && !engine.pglite) {
      add(
        [...path, 'local', 'pglite'],
        'key',
        `pglite is an embedded PostgreSQL; database '${name}' has engine '${String(engineName)}' (use local url instead)`,
      );
    }
  }
}

/** What a connection needs, and the Data API does not: each is refused beside `dataApi`. */
const CONNECTION_KEYS = ['vpc', 'host', 'port', 'user', 'tls', 'resourceId'] as const;

function checkDataApi(name: string, database: Entries, auth: Entries, add: Add): void {
  const path = ['databases', name];
  for (const key of CONNECTION_KEYS) {
    if (!Object.hasOwn(database, key)) continue;
    const why =
      key === 'user'
        ? 'the Data API logs in as the user its secret names'
        : `the fan-out function reaches database '${name}' through the RDS Data API, not a connection`;
    add([...path, key], 'key', `'${key}' does not go with dataApi: ${why}; remove ${key}`);
  }
  if (typeof auth.type === 'string' && auth.type !== 'secret') {
    add(
      [...path, 'auth', 'type'],
      'value',
      `database '${name}' is reached through the RDS Data API, which logs in with a Secrets Manager secret; use auth: { type: secret, secretArn: ... } (the secret holds username and password)`,
    );
  }
}

/** Probes on a Data API database time out within one Data API request. */
function checkDataApiTimeout(
  name: string,
  probe: Entries,
  defaults: Entries,
  databases: Entries,
  database: unknown,
  add: Add,
): void {
  const names = Array.isArray(database) ? database : [database];
  const dataApi = names.find(
    (db) => typeof db === 'string' && mapOf(entryNamed(databases, db)).dataApi !== undefined,
  );
  if (dataApi === undefined) return;
  const own = probe.timeout !== undefined;
  const timeout = own ? probe.timeout : defaults.timeout;
  const ms = typeof timeout === 'string' ? parseDuration(timeout) : undefined;
  const max = RDS_DATA_API.maxRequestSeconds * 1000;
  if (ms === undefined || ms <= max) return;
  add(
    own ? ['probes', name, 'timeout'] : ['defaults', 'timeout'],
    'value',
    `probe '${name}' runs on database '${String(dataApi)}' through the RDS Data API, which ends a request after ${RDS_DATA_API.maxRequestSeconds}s; its timeout '${String(timeout)}' must be at most ${RDS_DATA_API.maxRequestSeconds}s`,
  );
}

function checkProbe(
  name: string,
  probe: Entries,
  context: {
    root: Entries;
    defaults: Entries;
    databases: Entries;
    options: ConfigOptions;
    reported: ReadonlySet<string>;
  },
  add: Add,
): void {
  const { root, defaults, databases, options, reported } = context;
  const path = ['probes', name];
  const database = probe.database ?? defaults.database;
  if (database === undefined) {
    add(path, 'value', `probe '${name}' names no database; set 'database' here or in 'defaults'`);
  } else {
    checkDatabaseReference(probe.database, [...path, 'database'], databases, add);
  }
  checkSchedule(probe.schedule, [...path, 'schedule'], add);
  checkTimeout(probe.timeout, [...path, 'timeout'], add);
  checkDataApiTimeout(name, probe, defaults, databases, database, add);

  // a fleet's SQL runs on each of its engines: each must accept it
  const dialects = dialectsOf(Array.isArray(database) ? database : [database], databases, options);
  let sql: string | undefined;
  if (typeof probe.sql === 'string') {
    sql = probe.sql;
    for (const [dialect, engines] of dialects) {
      const refusal = refusedProbeSql(probe.sql, dialect);
      if (refusal === undefined) continue;
      const on = dialects.size > 1 ? ` (on its ${engines.join(', ')} databases)` : '';
      add([...path, 'sql'], 'value', `probe '${name}'${on}: ${refusal}`);
      sql = undefined;
      break;
    }
  }

  // what each run adds to its datums: Database for a fleet member, the dimension parameters
  const fleetDimension: RunDimension[] = Array.isArray(database)
    ? [
        {
          name: DATABASE_DIMENSION,
          path: probe.database === undefined ? path : [...path, 'database'],
          at: probe.database === undefined ? 'value' : 'key',
          source: FLEET,
        },
      ]
    : [];
  const runDimensions = [...fleetDimension, ...checkParameters(name, probe, path, sql, dialects, add)];
  const probeDimensions = mapOf(probe.dimensions ?? defaults.dimensions);
  checkRunDimensions(name, runDimensions, probeDimensions, add);
  const probeDimensionNames = [...Object.keys(probeDimensions), ...runDimensions.map((d) => d.name)];
  const seen = new Map<string, number>();
  listOf(probe.metrics).forEach((metric, index) => {
    if (!isMap(metric)) return;
    const metricPath = [...path, 'metrics', String(index)];
    const own = Object.keys(mapOf(metric.dimensions));
    for (const dimension of own) {
      const run = runDimensions.find((added) => added.name === dimension);
      if (Object.hasOwn(probeDimensions, dimension)) {
        add(
          [...metricPath, 'dimensions', dimension],
          'key',
          `dimension '${dimension}' is already set for every metric of probe '${name}'; remove one of them`,
        );
      } else if (run) {
        add(
          [...metricPath, 'dimensions', dimension],
          'key',
          `dimension '${dimension}' is already set for every metric of probe '${name}' by ${run.source}; rename this one`,
        );
      }
    }
    const all = new Set([...probeDimensionNames, ...own]);
    const counted =
      !reported.has(pointerOf([...path, 'dimensions'])) &&
      !reported.has(pointerOf([...metricPath, 'dimensions']));
    if (all.size > CLOUDWATCH.maxDimensions && counted) {
      add(
        metricPath,
        'value',
        `metric ${describeMetric(metric, index)} of probe '${name}' has ${all.size} dimensions (${probeDimensionNames.length} from the probe${runDimensions.length > 0 ? `, ${runDimensions.length} of them from its databases and parameters` : ''}, ${own.length} its own); CloudWatch allows at most ${CLOUDWATCH.maxDimensions}`,
      );
    }
    if (metric.alarm !== undefined) {
      const columns = [...Object.entries(probeDimensions), ...Object.entries(mapOf(metric.dimensions))]
        .filter(([, source]) => isMap(source))
        .map(([dimension]) => dimension);
      checkAlarm(
        metric,
        metricPath,
        alarmContext(
          root,
          name,
          probe.schedule ?? defaults.schedule,
          describeMetric(metric, index),
          columns,
          reported,
        ),
        add,
      );
    }
    if (typeof metric.name !== 'string') return;
    // a static value tells series apart; a column's values are unknown here, so any may collide
    const metricDimensions = mapOf(metric.dimensions);
    const signature = [...all].sort().map((dimension) => {
      const source = entryNamed(metricDimensions, dimension) ?? entryNamed(probeDimensions, dimension);
      return typeof source === 'string' ? `${dimension}=${source}` : dimension;
    });
    const identity = `${metric.name}\u0000${signature.join('\u0000')}`;
    const first = seen.get(identity);
    if (first === undefined) {
      seen.set(identity, index);
    } else {
      const dimensions = all.size === 0 ? 'no dimensions' : `dimensions ${[...all].sort().join(', ')}`;
      add(
        [...metricPath, 'name'],
        'value',
        `metric '${metric.name}' with ${dimensions} is already metric ${first + 1} of probe '${name}'; rename it or give it another dimension`,
      );
    }
  });
}

/** No two sources set one dimension: a run's dimension is neither a probe dimension nor another run dimension. */
function checkRunDimensions(
  name: string,
  runDimensions: readonly RunDimension[],
  probeDimensions: Entries,
  add: Add,
): void {
  runDimensions.forEach((dimension, index) => {
    const earlier = runDimensions.slice(0, index).find((other) => other.name === dimension.name);
    const clash = earlier
      ? earlier.source
      : Object.hasOwn(probeDimensions, dimension.name)
        ? 'its dimensions'
        : undefined;
    if (clash === undefined) return;
    add(
      dimension.path,
      dimension.at,
      dimension.source === FLEET
        ? `probe '${name}' runs on a fleet of databases, so each datum carries dimension '${dimension.name}' (its database's name), which its dimensions already set; rename that one`
        : `${dimension.source} of probe '${name}' becomes dimension '${dimension.name}', which ${clash} already sets; name it otherwise in parameterDimensions, or make it no dimension (${dimension.parameter}: false)`,
    );
  });
}

function alarmContext(
  root: Entries,
  probe: string,
  schedule: unknown,
  metric: string,
  columnDimensions: readonly string[],
  reported: ReadonlySet<string>,
): AlarmContext {
  const alarms = root.alarms;
  const topic =
    alarms === undefined
      ? 'absent'
      : isMap(alarms) && typeof alarms.topicArn === 'string'
        ? 'named'
        : 'refused';
  return {
    probe,
    schedule: schedule ?? root.schedule ?? DEFAULTS.schedule,
    metric,
    columnDimensions,
    topic,
    reported,
  };
}

function describeMetric(metric: Entries, index: number): string {
  return typeof metric.name === 'string' ? `'${metric.name}'` : String(index + 1);
}
