/**
 * What the core needs from the world, as small interfaces. Adapters implement them;
 * the core imports no SDK, driver or CDK.
 */

import type { Deadline } from './deadline.js';
import type { MetricDatum, NamespacedDatum, ProbeReport } from './metric-data.js';
import type { ErrorCode } from './probe-error.js';

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
}

/**
 * The connections to one database, created once per function instance and reused across
 * warm invocations, never more than `maxConnections` at once.
 */
export interface DatabasePool {
  /**
   * Runs one probe's SQL in a read-only transaction with a server-side statement timeout.
   * Throws a `ProbeError`: `CONNECTION_FAILED` (could not connect or authenticate),
   * `TIMEOUT` (the server cancelled the statement), `QUERY_FAILED` (anything else).
   */
  query(sql: string, options: QueryOptions): Promise<readonly Row[]>;
  /** closes every connection; the pool is unusable afterwards */
  close(): Promise<void>;
}

/** Where and how to connect. A password provider is called for each new connection. */
export type ConnectionTarget =
  | {
      readonly kind: 'server';
      readonly host: string;
      readonly port: number;
      readonly database: string;
      readonly user: string;
      readonly password: () => string | Promise<string>;
      readonly tls: boolean;
      readonly maxConnections: number;
    }
  | { readonly kind: 'url'; readonly url: string; readonly maxConnections: number }
  /** embedded PGlite, seeded once from the SQL file `init` (absolute path) */
  | { readonly kind: 'pglite'; readonly init?: string };

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
 * The invocation payload of a query function. It names probes deployed with the function;
 * it never carries SQL.
 */
export interface QueryRequest {
  readonly probes: readonly string[];
  readonly credentials?: Readonly<Record<string, DatabaseCredentials>>;
}

/** What a query function returns: metric data (never raw rows) and one report per requested probe. */
export interface QueryResponse {
  readonly reports: readonly ProbeReport[];
  /** every probe's metric data, in the order of `reports` */
  readonly metrics: readonly MetricDatum[];
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

/** Structured logs: one JSON object per event, never a credential or a row. */
export interface Logger {
  log(event: Readonly<Record<string, unknown>>): void;
}

export interface Clock {
  /** epoch milliseconds */
  now(): number;
}
