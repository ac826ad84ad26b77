/**
 * Aurora PostgreSQL and Aurora MySQL through the RDS Data API (`@aws-sdk/client-rds-data`): no
 * connection of Chasm's own, so no VPC. A "connection" of the probe pool is a Data API session:
 *
 * - A probe: `BeginTransaction` (with the session's first statement), `SET TRANSACTION READ ONLY`,
 *   the statement timeout inside the transaction (PostgreSQL `SET LOCAL statement_timeout`; MySQL
 *   `max_execution_time`, MariaDB `max_statement_time`, and the session's read-only mode, which
 *   alone refuses DDL), then the probe's one statement, its parameters bound by the Data API.
 * - Afterwards the session settings are restored (MySQL: the Data API shares its connections) and
 *   `RollbackTransaction` ends the transaction.
 * - The Data API has no way to cancel a statement: the statement timeout set in its transaction
 *   ends it on the server. A session given up on has its requests aborted, and its settings
 *   restored and its transaction rolled back once that statement has ended (the pool's
 *   `settled()` waits for that, so a Lambda instance is not frozen before).
 * - The Data API's own limits (1 MiB per result, 64 KB per row, 45 s per request) fail the probe
 *   with `PAYLOAD_TOO_LARGE` or `TIMEOUT` and a message naming the limit.
 *
 * Which of MySQL and MariaDB answers is asked once per pool (`SELECT VERSION()`, outside any
 * transaction): Aurora MySQL is MySQL, but the statement timeout differs.
 */
import type { ExecuteStatementCommandOutput, RDSDataClient, SqlParameter } from '@aws-sdk/client-rds-data';
import { RDS_DATA_API } from '../../core/limits.js';
import type { ConnectionTarget, DatabaseEngine, Row } from '../../core/ports.js';
import { ProbeError } from '../../core/probe-error.js';
import type { Connector } from './connection-pool.js';
import { DataApiDialect, type DataApiStatements } from './data-api-dialect.js';
import { rowsOf } from './data-api-records.js';
import { driverErrorFields, driverFailure, isNetworkFailure } from './driver-failure.js';
import { LoginBackoff } from './login-backoff.js';
import { type EngineAdapter, openProbePool } from './probe-pool.js';

type DataApiTarget = Extract<ConnectionTarget, { readonly kind: 'data-api' }>;
type Sdk = typeof import('@aws-sdk/client-rds-data');

/** The server behind the cluster: which statements bound a probe. */
export type DataApiFlavour = 'postgres' | 'mysql' | 'mariadb';

/** How long one call ending a transaction may take. */
const END_TIMEOUT_MS = 5_000;
/** How often a call waiting for a statement given up on to end is tried again. */
const BUSY_RETRY_MS = 200;

/** What the Data API's error names mean for a probe. */
const CONNECTION_ERRORS = new Set([
  'AccessDeniedException',
  'ForbiddenException',
  'HttpEndpointNotEnabledException',
  'InvalidSecretException',
  'SecretsErrorException',
  'DatabaseNotFoundException',
  'DatabaseUnavailableException',
  'DatabaseResumingException',
  'InvalidResourceStateException',
  'ServiceUnavailableError',
  'NotFoundException',
  'TransactionNotFoundException',
]);
// the server's own timeouts: PostgreSQL 57014, MySQL 3024, MariaDB 1969
const SERVER_TIMEOUT =
  /57014|statement timeout|maximum statement execution time exceeded|max_statement_time exceeded/i;
const RESPONSE_TOO_LARGE = /allowed response size limit|response exceeded size limit/i;
const ROW_TOO_LARGE = /packet for query is too large/i;
// the transaction's statement given up on still runs: the server ends it at its statement timeout
const STILL_RUNNING = /still running a query/i;
// the server refused the login: its words, or SQLSTATE class 28 where the Data API passes one on
const LOGIN_FAILED =
  /password authentication failed|access denied for user|role ".*" does not exist|SQLState: 28/i;
// the session could not be had: connection exceptions, an unknown database, the server shutting down
const SESSION_FAILED = /SQLState: (08|3D000|57P0)/i;
/** the Data API could not log in with the secret, or may not use it */
const SECRET_ERRORS = new Set(['InvalidSecretException', 'SecretsErrorException', 'AccessDeniedException']);

function isLoginFailure(error: unknown): boolean {
  const name = (error as { name?: unknown }).name;
  return (
    (typeof name === 'string' && SECRET_ERRORS.has(name)) ||
    LOGIN_FAILED.test(driverErrorFields(error).message)
  );
}

/** A call that makes the Data API log in (a new transaction, a statement outside one), under the secret's backoff. */
async function loggingIn<T>(cluster: DataApiCluster, call: () => Promise<T>): Promise<T> {
  const login = { user: cluster.target.secretArn, password: '' };
  cluster.backoff.check(login);
  try {
    const result = await call();
    cluster.backoff.succeeded();
    return result;
  } catch (error) {
    if (isLoginFailure(error)) cluster.backoff.failed(login, error);
    throw error;
  }
}

/** One cluster, as a pool's sessions share it: the client, the target and the login's backoff. */
interface DataApiCluster {
  readonly sdk: Sdk;
  readonly client: RDSDataClient;
  readonly target: DataApiTarget;
  /** the Data API logs in with the secret: after a failed login, that secret waits before it is tried again */
  readonly backoff: LoginBackoff;
}

/** A Data API session: its transaction, begun with its first statement, and its requests in flight. */
export class DataApiSession implements DataApiStatements {
  transactionId: string | undefined;
  /** the statement timeout of the current transaction: how long a statement given up on may still run */
  statementTimeoutMs = 0;
  #requests = new AbortController();

  constructor(
    readonly cluster: DataApiCluster,
    readonly flavour: DataApiFlavour,
  ) {}

  async execute(sql: string, parameters: readonly unknown[]): Promise<{ rows: Row[]; updated?: number }> {
    const { sdk, client, target } = this.cluster;
    this.transactionId ??= await this.#begin();
    const output = await client.send(
      new sdk.ExecuteStatementCommand({
        resourceArn: target.resourceArn,
        secretArn: target.secretArn,
        database: target.database,
        transactionId: this.transactionId,
        sql,
        ...(parameters.length > 0 ? { parameters: parameters.map(sqlParameter) } : {}),
        includeResultMetadata: true,
        // exact: BIGINT and DECIMAL as text, never a JSON number past 2^53
        resultSetOptions: { longReturnType: 'STRING', decimalReturnType: 'STRING' },
      }),
      { abortSignal: this.#requests.signal },
    );
    return resultOf(output, this.flavour);
  }

  async #begin(): Promise<string> {
    const { sdk, client, target } = this.cluster;
    const begun = await loggingIn(this.cluster, () =>
      client.send(
        new sdk.BeginTransactionCommand({
          resourceArn: target.resourceArn,
          secretArn: target.secretArn,
          database: target.database,
        }),
        { abortSignal: this.#requests.signal },
      ),
    );
    if (!begun.transactionId) throw new Error('BeginTransaction returned no transaction id');
    return begun.transactionId;
  }

  async rollback(): Promise<void> {
    const transactionId = this.transactionId;
    if (transactionId === undefined) return;
    this.transactionId = undefined;
    const { sdk, client, target } = this.cluster;
    try {
      await this.whenIdle(() =>
        client.send(
          new sdk.RollbackTransactionCommand({
            resourceArn: target.resourceArn,
            secretArn: target.secretArn,
            transactionId,
          }),
          { abortSignal: AbortSignal.timeout(END_TIMEOUT_MS) },
        ),
      );
    } catch (error) {
      // the Data API ends a transaction itself after some errors (a result over its limit)
      if ((error as { name?: unknown }).name !== 'TransactionNotFoundException') throw error;
    }
  }

  /**
   * `call`, tried again while the transaction still runs a statement given up on (the Data API
   * takes one call at a time per transaction), until that statement's timeout has surely passed.
   */
  async whenIdle<T>(call: () => Promise<T>): Promise<T> {
    const until = performance.now() + this.statementTimeoutMs + END_TIMEOUT_MS;
    for (;;) {
      try {
        return await call();
      } catch (error) {
        if (!STILL_RUNNING.test(driverErrorFields(error).message) || performance.now() > until) throw error;
        await new Promise((resolve) => setTimeout(resolve, BUSY_RETRY_MS));
      }
    }
  }

  /** Aborts the requests in flight; the next statement begins a new transaction. */
  abortRequests(): void {
    this.#requests.abort();
    this.#requests = new AbortController();
  }
}

function resultOf(
  output: ExecuteStatementCommandOutput,
  flavour: DataApiFlavour,
): { rows: Row[]; updated?: number } {
  const rows = rowsOf(output.columnMetadata, output.records, flavour === 'postgres' ? 'postgres' : 'mysql');
  return output.numberOfRecordsUpdated !== undefined && rows.length === 0
    ? { rows, updated: output.numberOfRecordsUpdated }
    : { rows };
}

/** A bound value as a Data API parameter, named as the markers `:p1`, `:p2`, … */
function sqlParameter(value: unknown, index: number): SqlParameter {
  const name = `p${index + 1}`;
  if (typeof value === 'boolean') return { name, value: { booleanValue: value } };
  if (typeof value === 'number') {
    return Number.isSafeInteger(value)
      ? { name, value: { longValue: value } }
      : { name, value: { doubleValue: value } };
  }
  return { name, value: { stringValue: String(value) } };
}

/** The statements that open a probe's read-only transaction with its statement timeout. */
function beginStatements(flavour: DataApiFlavour, timeoutMs: number): string[] {
  const ms = Math.max(1, Math.ceil(timeoutMs));
  if (flavour === 'postgres') return ['SET TRANSACTION READ ONLY', `SET LOCAL statement_timeout = ${ms}`];
  return [
    'SET TRANSACTION READ ONLY',
    flavour === 'mariadb'
      ? `SET SESSION max_statement_time = ${(ms / 1000).toFixed(3)}, SESSION tx_read_only = 1`
      : `SET SESSION max_execution_time = ${ms}, SESSION transaction_read_only = 1`,
  ];
}

/** What a session's probe left set beyond its transaction: the Data API hands its connection on. */
function restoreStatement(flavour: DataApiFlavour): string | undefined {
  if (flavour === 'postgres') return undefined;
  return flavour === 'mariadb'
    ? 'SET SESSION max_statement_time = DEFAULT, SESSION tx_read_only = DEFAULT'
    : 'SET SESSION max_execution_time = DEFAULT, SESSION transaction_read_only = DEFAULT';
}

function dataApiConnector(engine: 'postgres' | 'mysql', target: ConnectionTarget): Connector<DataApiSession> {
  if (target.kind !== 'data-api') {
    throw new ProbeError(
      'CONNECTION_FAILED',
      `the ${engine}-data-api engine reaches Aurora clusters through the RDS Data API; use the ${engine} engine`,
    );
  }
  let cluster: Promise<DataApiCluster> | undefined;
  let flavour: Promise<DataApiFlavour> | undefined;
  // the transactions of sessions given up on, being ended: `settled()` and `close()` wait for them
  const ending = new Set<Promise<unknown>>();
  const connect = () => {
    // loaded on first use: a fan-out function without Data API databases never loads the client
    cluster ??= import('@aws-sdk/client-rds-data').then((sdk) => ({
      sdk,
      client: new sdk.RDSDataClient({}),
      target,
      backoff: new LoginBackoff(),
    }));
    return cluster;
  };
  const flavourOf = async (opened: DataApiCluster, abort: AbortSignal): Promise<DataApiFlavour> => {
    if (engine === 'postgres') return 'postgres';
    const { sdk, client } = opened;
    const output = await loggingIn(opened, () =>
      client.send(
        new sdk.ExecuteStatementCommand({
          resourceArn: target.resourceArn,
          secretArn: target.secretArn,
          database: target.database,
          sql: 'SELECT VERSION() AS version',
          includeResultMetadata: true,
        }),
        { abortSignal: abort },
      ),
    );
    const [row] = rowsOf(output.columnMetadata, output.records, 'mysql');
    return /mariadb/i.test(String(row?.version)) ? 'mariadb' : 'mysql';
  };
  // restores what the probe set beyond its transaction, then ends the transaction whatever happened
  const end = async (session: DataApiSession): Promise<void> => {
    const restore = restoreStatement(session.flavour);
    try {
      if (restore !== undefined && session.transactionId !== undefined)
        await session.whenIdle(() => session.execute(restore, []));
    } finally {
      await session.rollback();
    }
  };
  return {
    async open(_lost, abort) {
      const opened = await connect();
      flavour ??= flavourOf(opened, abort).catch((error: unknown) => {
        flavour = undefined;
        throw error;
      });
      return new DataApiSession(opened, await flavour);
    },
    reset: end,
    // the Data API cannot cancel a statement: the statement timeout set in its transaction ends it
    cancel: async () => undefined,
    destroy(session) {
      session.abortRequests();
      const ended = end(session)
        .catch(() => undefined)
        .finally(() => ending.delete(ended));
      ending.add(ended);
    },
    async settled() {
      while (ending.size > 0) await Promise.allSettled([...ending]);
    },
    async close() {
      while (ending.size > 0) await Promise.allSettled([...ending]);
      const opened = cluster;
      cluster = undefined;
      (await opened?.catch(() => undefined))?.client.destroy();
    },
  };
}

function dataApiAdapter(engine: 'postgres' | 'mysql'): EngineAdapter<DataApiSession> {
  return {
    name: `${engine}-data-api`,
    connector: (target) => dataApiConnector(engine, target),
    maxConnections: (target) => (target.kind === 'pglite' ? 1 : target.maxConnections),
    dialect: (checkOut) =>
      new DataApiDialect({
        sql: engine,
        checkOut: async () => {
          const checkout = await checkOut();
          return { session: checkout.connection, release: (discard) => checkout.release(discard) };
        },
      }),
    begin: (session, timeoutMs) => {
      session.statementTimeoutMs = timeoutMs;
      return beginStatements(session.flavour, timeoutMs);
    },
    stopsStreamsCleanly: true,
    // the Data API binds named parameters itself
    parameters: { syntax: engine, marker: (index) => `:p${index + 1}` },
    classify,
    isConnectionLost: (error) => (error as { name?: unknown }).name === 'TransactionNotFoundException',
  };
}

function classify(error: unknown, connected: boolean): ProbeError {
  if (error instanceof ProbeError) return error;
  const name = (error as { name?: unknown }).name;
  const { message } = driverErrorFields(error);
  if (ROW_TOO_LARGE.test(message)) {
    return new ProbeError(
      'PAYLOAD_TOO_LARGE',
      `a row is larger than the RDS Data API returns (${RDS_DATA_API.maxRowBytes / 1024} KB per row): ${message}; return smaller rows`,
      { cause: error },
    );
  }
  if (RESPONSE_TOO_LARGE.test(message)) {
    return new ProbeError(
      'PAYLOAD_TOO_LARGE',
      `the result is larger than the RDS Data API returns (${RDS_DATA_API.maxResponseBytes / 1024 / 1024} MiB per response): ${message}; return fewer or smaller rows (a LIMIT, an aggregate)`,
      { cause: error },
    );
  }
  if (name === 'StatementTimeoutException') {
    return new ProbeError(
      'TIMEOUT',
      `the RDS Data API stopped the request after ${RDS_DATA_API.maxRequestSeconds} s: ${message}`,
      { cause: error },
    );
  }
  if (SERVER_TIMEOUT.test(message)) return driverFailure('TIMEOUT', error);
  const refused = LOGIN_FAILED.test(message) || SESSION_FAILED.test(message);
  if (!connected || (typeof name === 'string' && CONNECTION_ERRORS.has(name)) || refused) {
    return driverFailure('CONNECTION_FAILED', error);
  }
  if (isNetworkFailure(driverErrorFields(error))) return driverFailure('CONNECTION_FAILED', error);
  return driverFailure('QUERY_FAILED', error);
}

const postgresAdapter = dataApiAdapter('postgres');
const mysqlAdapter = dataApiAdapter('mysql');

export const postgresDataApiEngine: DatabaseEngine = {
  name: 'postgres-data-api',
  openPool: (target) => openProbePool(postgresAdapter, target),
};

export const mysqlDataApiEngine: DatabaseEngine = {
  name: 'mysql-data-api',
  openPool: (target) => openProbePool(mysqlAdapter, target),
};
