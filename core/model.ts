/**
 * The validated, fully defaulted, frozen form of a `probes.yaml` file.
 *
 * `config/` produces it from YAML (`loadConfig`); everything else reads only this.
 * Keys mirror `schema.json` (the normative form of the language); where a value is
 * normalised the key says how (`timeoutMs` for `timeout: 10s`), and maps keyed by
 * name keep the file's order and repeat the key as `name`.
 */
import type { CloudWatchUnit, StorageResolution } from './limits.js';
import type { ParameterMap } from './probe-parameters.js';

export type PublishMode = 'fanout' | 'emf';
export type HealthMode = 'summary' | 'detailed' | 'none';
export type OnNull = 'skip' | 'zero' | 'error';
export type OnEmpty = 'skip' | 'zero';

export interface Config {
  /** absolute path of the file this config was read from; relative paths in it resolve from its folder */
  readonly file: string;
  readonly version: 1;
  /** CloudWatch namespace of every metric, health metrics included */
  readonly namespace: string;
  /**
   * The AWS region the stack deploys to (every ARN of the file is in it); absent: the deploying
   * profile's region
   */
  readonly region?: string;
  /** default schedule of every probe: `rate(...)` or `cron(...)` (EventBridge Scheduler syntax) */
  readonly schedule: string;
  readonly publish: PublishMode;
  readonly health: HealthMode;
  /** the SNS topic of every alarm (probe failure, and each metric's `alarm`); absent: no alarms */
  readonly alarms?: AlarmsConfig;
  /** retention of the functions' log groups, in days (one of CloudWatch Logs' allowed values) */
  readonly logRetentionDays: number;
  readonly vpcs: Readonly<Record<string, VpcConfig>>;
  readonly databases: Readonly<Record<string, DatabaseConfig>>;
  readonly probes: Readonly<Record<string, ProbeConfig>>;
}

/**
 * The entry named `name` of one of the config's maps keyed by name: own entries only, so a name
 * from probes.yaml such as `toString` or `constructor` is looked up as data, never as a member
 * every object inherits.
 */
export function entryNamed<T>(map: Readonly<Record<string, T>>, name: string): T | undefined {
  return Object.hasOwn(map, name) ? map[name] : undefined;
}

export interface AlarmsConfig {
  /** ARN of the SNS topic that receives alarm and OK notifications */
  readonly topicArn: string;
}

/** A statistic an alarm compares with its threshold (each also a Metrics Insights function). */
export type AlarmStatistic = 'Average' | 'Minimum' | 'Maximum' | 'Sum' | 'SampleCount';
/** How an alarm treats a period without data: CloudWatch's `TreatMissingData`. */
export type MissingData = 'breaching' | 'notBreaching' | 'ignore' | 'missing';

/** A metric's `alarm`, as probes.yaml writes it with `above: N` or `below: N`. */
export interface MetricAlarmConfig {
  /** alarm when the statistic is greater (`above`) or less (`below`) than `threshold` */
  readonly comparison: 'above' | 'below';
  readonly threshold: number;
  /** periods evaluated (EvaluationPeriods), one per run: the time between two runs of the probe's schedule */
  readonly for: number;
  /** of those, how many must breach (DatapointsToAlarm); `for` unless set */
  readonly datapoints: number;
  readonly statistic: AlarmStatistic;
  readonly missing: MissingData;
}

export interface VpcConfig {
  readonly name: string;
  readonly vpcId: string;
  readonly subnetIds: readonly string[];
  /** absent: a security group is created whose egress reaches only the databases' ports */
  readonly securityGroupIds?: readonly string[];
  /**
   * IPv4 CIDR blocks (`10.0.0.0/16`) holding the VPC's databases: the created security group's
   * egress reaches the databases' ports on these blocks only. Absent: those ports on any address.
   * Never set together with `securityGroupIds` (whose own rules apply).
   */
  readonly cidrBlocks?: readonly string[];
}

export type AuthConfig =
  /** an RDS IAM auth token signed locally with the function's own credentials */
  | { readonly type: 'iam' }
  /** a Secrets Manager secret read by the public function and handed over with each invocation */
  | {
      readonly type: 'secret';
      /** with or without the six-character suffix Secrets Manager appends to the secret's name */
      readonly secretArn: string;
      /** the customer managed KMS key the secret is encrypted with; absent: the AWS managed key */
      readonly kmsKeyArn?: string;
    }
  /** a password from an environment variable: local runs only */
  | { readonly type: 'env'; readonly passwordEnv: string };

export type LocalDatabase =
  /** a connection URL (`postgres://…`, `mysql://…`) */
  | { readonly url: string }
  /** embedded PGlite, seeded from `init` (absolute path) when present */
  | { readonly pglite: { readonly init?: string } };

/** The Secrets Manager secret a database's user logs in with (`auth: { type: secret }`). */
export type SecretAuthConfig = Extract<AuthConfig, { readonly type: 'secret' }>;

/** How an Aurora cluster is reached through the RDS Data API (`dataApi:`). */
export interface DataApiConfig {
  /** ARN of the Aurora DB cluster: `arn:aws:rds:<region>:<account>:cluster:<name>` */
  readonly resourceArn: string;
}

/** What every database has, however it is reached. */
interface DatabaseFields {
  readonly name: string;
  /** a key of the engine registry: `postgres`, `mysql` (which SQL its probes speak) */
  readonly engine: string;
  readonly database: string;
  readonly auth: AuthConfig;
  /** the most connections (Data API: transactions) open at once */
  readonly maxConnections: number;
  /** used by `chasm run` instead of host/port/auth or the Data API; never deployed */
  readonly local?: LocalDatabase;
}

/** A database reached over a connection to its host, by a query function. */
export interface ServerDatabaseConfig extends DatabaseFields {
  /** absent: the database is publicly reachable and served by a query function outside any VPC */
  readonly vpc?: string;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly tls: boolean;
  /** RDS resource id (`db-…` or `cluster-…`) that scopes `rds-db:connect` exactly; absent: scoped by user only */
  readonly resourceId?: string;
  readonly dataApi?: undefined;
}

/**
 * An Aurora database reached through the RDS Data API, by the fan-out function itself: no VPC, no
 * host, no query function. The Data API logs in with the secret's user.
 */
export interface DataApiDatabaseConfig extends DatabaseFields {
  readonly dataApi: DataApiConfig;
  readonly auth: SecretAuthConfig;
  readonly vpc?: undefined;
  readonly host?: undefined;
  readonly port?: undefined;
  readonly user?: undefined;
  readonly tls?: undefined;
  readonly resourceId?: undefined;
}

export type DatabaseConfig = ServerDatabaseConfig | DataApiDatabaseConfig;

/** A dimension's value: from a result column, or a static string. */
export type DimensionSource = { readonly column: string } | { readonly value: string };

export interface MetricConfig {
  readonly name: string;
  /** the result column holding this metric's value */
  readonly column: string;
  /** `None` where probes.yaml names no unit, as PutMetricData and EMF default it */
  readonly unit: CloudWatchUnit;
  readonly resolution: StorageResolution;
  /** this metric's own dimensions, added to the probe's */
  readonly dimensions: Readonly<Record<string, DimensionSource>>;
  /** a CloudWatch alarm on this metric, notifying `alarms.topicArn`; absent: none */
  readonly alarm?: MetricAlarmConfig;
}

export interface ProbeConfig {
  readonly name: string;
  /**
   * the database it runs on; a list (a fleet): it runs on each, each run isolated, and every datum
   * carries `Database=<name>` (see `core/probe-runs.ts`)
   */
  readonly database: string | readonly string[];
  /** one SQL statement; with `parameters`, its `:name` placeholders stand for values */
  readonly sql: string;
  /** one run per map, its placeholders bound to the map's values; empty: one run, the SQL as written */
  readonly parameters: readonly ParameterMap[];
  /** per parameter, in the maps' order: the dimension it becomes, or false for none */
  readonly parameterDimensions: Readonly<Record<string, string | false>>;
  readonly schedule: string;
  readonly timeoutMs: number;
  readonly onNull: OnNull;
  readonly onEmpty: OnEmpty;
  /** the most rows one run may return */
  readonly maxRows: number;
  /** distinct dimension sets one run may emit (each is a billed metric) */
  readonly maxSeries: number;
  /** dimensions of every metric of this probe */
  readonly dimensions: Readonly<Record<string, DimensionSource>>;
  readonly metrics: readonly MetricConfig[];
}

/** Defaults for what `probes.yaml` leaves out. */
export const DEFAULTS = {
  schedule: 'rate(5 minutes)',
  publish: 'fanout',
  health: 'summary',
  logRetentionDays: 30,
  timeoutMs: 10_000,
  onNull: 'skip',
  onEmpty: 'skip',
  maxRows: 1000,
  maxSeries: 100,
  tls: true,
  maxConnections: 2,
  unit: 'None',
  resolution: 60,
  alarmFor: 1,
  alarmMissing: 'missing',
} as const;

/** The statistic of an alarm that names none: any value of a period beyond the threshold alarms. */
export const ALARM_STATISTIC_DEFAULTS = { above: 'Maximum', below: 'Minimum' } as const;

/** A duration as `probes.yaml` writes it: `500ms`, `5s`, `2m`. */
export function formatDuration(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms >= 1000 && ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
