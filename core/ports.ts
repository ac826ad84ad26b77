/**
 * What the core needs from the world, as small interfaces. Adapters implement them;
 * the core imports no SDK, driver or CDK.
 */

import type { Deadline } from './deadline.js';
import type { MetricDatum, NamespacedDatum, ProbeReport } from './metric-data.js';
import type { ErrorCode, WarningCode } from './probe-error.js';
import type { ParameterMap } from './probe-parameters.js';

/** One result row, as the driver returns it (column name → value). */
export type Row = Readonly<Record<string, unknown>>;

export interface QueryOptions {
  /** the server-side statement timeout: the probe's timeout */
  readonly timeoutMs: number;
  /** the most rows the caller accepts; a pool may stop reading after `maxRows + 1` */
  readonly maxRows: number;
  /**
   * The client-side deadline: when it expires, the query rejects with `TIMEOUT` at once, even if
   * the driver cannot interrupt the statement, and releases or destroys its connection.
   */
  readonly deadline?: Deadline;
  /**
   * The values of the SQL's `:name` placeholders (`core/probe-parameters.ts`), bound by the driver
   * as the engine's own parameters; absent: the SQL runs as written, `:name` and all.
   */
  readonly parameters?: ParameterMap;
}

/** What an engine found out about a database that its probes do not report: see {@link WARNING_CODES}. */
export interface DatabaseWarning {
  readonly code: WarningCode;
  readonly message: string;
}

/**
 * The connections to one database, created once per function instance and reused across
 * warm invocations, never more than `maxConnections` at once.
 */
export interface DatabasePool {
  /**
   * Runs one probe's SQL (with its parameters bound, if any) in a read-only transaction with a
   * server-side statement timeout and returns at most `maxRows + 1` rows. Throws a `ProbeError`: `CONNECTION_FAILED` (could not
   * connect or authenticate), `TIMEOUT` (the server cancelled the statement, or the deadline
   * passed), `INVALID_VALUE` (a result the probe cannot be mapped from, such as two columns of one
   * name), `QUERY_FAILED` (anything else).
   */
  query(sql: string, options: QueryOptions): Promise<readonly Row[]>;
  /** what the pool's first connection found out about the database user (e.g. it could write) */
  warnings(): readonly DatabaseWarning[];
  /** resolves once every statement the pool gave up on has been cancelled on the server (bounded) */
  settled(): Promise<void>;
  /** closes every connection; the pool is unusable afterwards */
  close(): Promise<void>;
}

/** A database login, read for each new connection: an IAM token or a rotated secret stays current. */
export interface DatabaseLogin {
  readonly user: string;
  readonly password: string;
}

/**
 * How a connection is protected: `disable` (plain), `require` (encrypted, not verified),
 * `verify-ca` (the certificate chain verified), `verify-full` (and the host name).
 */
export type TlsMode = 'disable' | 'require' | 'verify-ca' | 'verify-full';

/** Where and how to connect. */
export type ConnectionTarget =
  | {
      readonly kind: 'server';
      readonly host: string;
      readonly port: number;
      readonly database: string;
      /** called for each new connection */
      readonly login: () => DatabaseLogin | Promise<DatabaseLogin>;
      readonly tls: TlsMode;
      readonly maxConnections: number;
    }
  /** a connection URL of the engine's scheme (`postgres://…`, `mysql://…`); the engine reads its parameters */
  | { readonly kind: 'url'; readonly url: string; readonly maxConnections: number }
  /** embedded PGlite, seeded once from the SQL file `init` (absolute path) */
  | { readonly kind: 'pglite'; readonly init?: string }
  /**
   * an Aurora cluster through the RDS Data API: no connection of Chasm's own, each probe a
   * transaction of API calls, logged in by the Data API with the secret `secretArn`
   */
  | {
      readonly kind: 'data-api';
      readonly resourceArn: string;
      readonly secretArn: string;
      readonly database: string;
      /** transactions at once */
      readonly maxConnections: number;
    };

/** A database engine: one adapter file, one registry line. */
export interface DatabaseEngine {
  readonly name: string;
  openPool(target: ConnectionTarget): DatabasePool;
}

/** Credentials handed from the public function to a query function, per database name. */
export interface DatabaseCredentials {
  readonly username?: string;
  readonly password: string;
}

/**
 * The invocation payload of a query function. It names probes deployed with the function (for a
 * fleet member, `name@database`: `core/probe-runs.ts`); it never carries SQL.
 */
export interface QueryRequest {
  readonly probes: readonly string[];
  readonly credentials?: Readonly<Record<string, DatabaseCredentials>>;
}

/** A warning about one database, as responses and `chasm run --json` carry it. */
export interface DatabaseWarningReport extends DatabaseWarning {
  readonly database: string;
}

/**
 * What a query function returns: metric data (never raw rows) and one report per requested probe
 * run (a probe on one database, all its parameter maps together).
 */
export interface QueryResponse {
  readonly reports: readonly ProbeReport[];
  /** every probe's metric data, in the order of `reports` */
  readonly metrics: readonly MetricDatum[];
  /** warnings about the databases the probes ran on; absent when none */
  readonly warnings?: readonly DatabaseWarningReport[];
  /**
   * how many of `metrics` each report's probe produced, in the order of `reports`: what lets the
   * fan-out trace a datum CloudWatch refuses back to its probe; absent, it cannot
   */
  readonly metricsPerReport?: readonly number[];
}

/** Calls one query function. Any failure (error, timeout, malformed response) rejects. */
export interface Invoker {
  invoke(
    functionId: string,
    request: QueryRequest,
    options: { readonly deadlineMs: number },
  ): Promise<QueryResponse>;
}

/** Datums a sink could not publish, and why. */
export interface PublishError {
  /** `INVALID_VALUE`: the datums were refused as invalid; `PUBLISH_FAILED`: anything else */
  readonly code: ErrorCode;
  readonly message: string;
  readonly datums: number;
  /**
   * the positions, in the data handed to `publish`, of the datums lost (a datum cut in several
   * counts once); absent when the sink cannot tell
   */
  readonly indexes?: readonly number[];
}

export interface PublishOutcome {
  readonly published: number;
  readonly failed: number;
  /** one entry per failed request or rejected datum, with the reason */
  readonly errors: readonly PublishError[];
}

/** Where metric data goes: CloudWatch, EMF log lines, the console. */
export interface MetricsSink {
  publish(data: readonly NamespacedDatum[]): Promise<PublishOutcome>;
}

/**
 * How much a log event matters: `error` for what lost work or data (a probe, an invocation, a
 * publish that failed), `warn` for what needs a look while everything ran, `info` for the rest.
 */
export type LogLevel = 'info' | 'warn' | 'error';

/** What happened (`event`, e.g. `probe`) and its fields; the level is the logger's argument. */
export interface LogEvent {
  readonly event: string;
  readonly level?: never;
  readonly [field: string]: unknown;
}

/** Structured logs: one JSON object per event, never a credential or a row. */
export interface Logger {
  log(level: LogLevel, event: LogEvent): void;
}

export interface Clock {
  /** epoch milliseconds */
  now(): number;
}
