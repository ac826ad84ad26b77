// Typed, fully defaulted configs, shaped as the loader produces them; defaults from `DEFAULTS`.
import { createHash } from 'node:crypto';
import type {
  Config,
  DataApiDatabaseConfig,
  DatabaseConfig,
  MetricConfig,
  ProbeConfig,
  ServerDatabaseConfig,
  VpcConfig,
} from '../../core/model.js';
import { DEFAULTS } from '../../core/model.js';

/** a realistic AWS id part: `digits` hex digits derived from the text */
function hexOf(text: string, digits: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, digits);
}

type Draft<T> = Partial<T> & { readonly name: string };

/** A VPC with ids derived from its name and two subnets (`subnetIds` overrides them). */
export function vpc(name: string, extra: Partial<VpcConfig> = {}): VpcConfig {
  return {
    name,
    vpcId: `vpc-${hexOf(name, 17)}`,
    subnetIds: subnets(name, 2),
    ...extra,
  };
}

/** `count` subnet ids of the VPC `name`: `<name>-a`, `<name>-b`, … hashed */
export function subnets(name: string, count: number): string[] {
  return Array.from(
    { length: count },
    (_, i) => `subnet-${hexOf(`${name}-${String.fromCharCode(97 + i)}`, 17)}`,
  );
}

/** A PostgreSQL database at `<name>.example.com`, read by `metrics_reader` with IAM auth. */
export function database(draft: Draft<ServerDatabaseConfig>): ServerDatabaseConfig {
  return {
    engine: 'postgres',
    host: `${draft.name}.example.com`,
    port: 5432,
    database: 'app',
    user: 'metrics_reader',
    auth: { type: 'iam' },
    tls: DEFAULTS.tls,
    maxConnections: DEFAULTS.maxConnections,
    ...draft,
  };
}

/**
 * An Aurora PostgreSQL database reached through the RDS Data API: cluster `<name>` of account
 * 123456789012 in eu-west-1, logged in with secret `<name>-reader`.
 */
export function dataApiDatabase(draft: Draft<DataApiDatabaseConfig>): DataApiDatabaseConfig {
  return {
    engine: 'postgres',
    database: 'app',
    auth: {
      type: 'secret',
      secretArn: `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${draft.name}-reader`,
    },
    maxConnections: DEFAULTS.maxConnections,
    dataApi: { resourceArn: `arn:aws:rds:eu-west-1:123456789012:cluster:${draft.name}` },
    ...draft,
  };
}

/** A Count metric of column `n`. */
export function metric(draft: Draft<MetricConfig>): MetricConfig {
  return { column: 'n', unit: 'Count', resolution: DEFAULTS.resolution, dimensions: {}, ...draft };
}

/** Probe `p` on database `db`: `SELECT 1 AS n` into one metric `Value`. */
export function probe(draft: Partial<ProbeConfig> = {}): ProbeConfig {
  return {
    name: 'p',
    database: 'db',
    sql: 'SELECT 1 AS n',
    parameters: [],
    parameterDimensions: {},
    schedule: DEFAULTS.schedule,
    timeoutMs: DEFAULTS.timeoutMs,
    onNull: DEFAULTS.onNull,
    onEmpty: DEFAULTS.onEmpty,
    maxRows: DEFAULTS.maxRows,
    maxSeries: DEFAULTS.maxSeries,
    dimensions: {},
    metrics: [metric({ name: 'Value' })],
    ...draft,
  };
}

/** Items keyed by their names, in order, as the loader keys a config's maps. */
export function byName<T extends { readonly name: string }>(items: readonly T[]): Record<string, T> {
  return Object.fromEntries(items.map((item) => [item.name, item]));
}

/** The parts of a config a test chooses; maps given as lists. */
export interface ConfigParts {
  readonly file?: string;
  readonly namespace?: string;
  readonly region?: string;
  readonly schedule?: string;
  readonly publish?: Config['publish'];
  readonly health?: Config['health'];
  readonly alarms?: Config['alarms'];
  readonly logRetentionDays?: number;
  readonly vpcs?: readonly VpcConfig[];
  readonly databases: readonly DatabaseConfig[];
  readonly probes: readonly ProbeConfig[];
}

/** A config in namespace `Acme/Sessions`, read from `/project/probes.yaml`. */
export function config(parts: ConfigParts): Config {
  return {
    file: parts.file ?? '/project/probes.yaml',
    version: 1,
    namespace: parts.namespace ?? 'Acme/Sessions',
    ...(parts.region ? { region: parts.region } : {}),
    schedule: parts.schedule ?? DEFAULTS.schedule,
    publish: parts.publish ?? DEFAULTS.publish,
    health: parts.health ?? DEFAULTS.health,
    ...(parts.alarms ? { alarms: parts.alarms } : {}),
    logRetentionDays: parts.logRetentionDays ?? DEFAULTS.logRetentionDays,
    vpcs: byName(parts.vpcs ?? []),
    databases: byName(parts.databases),
    probes: byName(parts.probes),
  };
}
