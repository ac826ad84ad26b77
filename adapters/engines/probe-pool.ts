/**
 * A `DatabasePool` for any engine. The engine plugs in through kysely's `Dialect` and `Driver`
 * (its own connections behind a {@link ConnectionPool}); what this file adds is the same for every
 * engine, so a probe is as safe on one as on another:
 *
 * - each probe opens a read-only transaction with a server-side statement timeout (the engine
 *   says how), streams its rows and stops reading at `maxRows + 1`;
 * - its connection goes back to the pool, which resets the session (locks, variables, settings)
 *   before anyone else uses it;
 * - when the deadline passes, or a stream that cannot stop cleanly was cut short, the connection
 *   is abandoned: its statement cancelled on the server from another connection, then destroyed;
 * - a probe whose reused connection turns out to have been closed by the server while idle runs
 *   once more on a fresh one (it is read-only: running it again is safe);
 * - a probe's parameters go to the driver as the engine's own bound parameters (`$1`, `?`), the
 *   `:name` placeholders found by the tokenizer, never spliced into the SQL.
 */
import { CompiledQuery, type DatabaseConnection, type Dialect, type Driver } from 'kysely';
import { DeadlineExceededError } from '../../core/deadline.js';
import type { ConnectionTarget, DatabasePool, DatabaseWarning, QueryOptions, Row } from '../../core/ports.js';
import { ProbeError } from '../../core/probe-error.js';
import { bindParameters } from '../../core/probe-parameters.js';
import type { SqlSyntax } from '../../core/sql-tokens.js';
import { checkOutLeased, runLeased } from './connection-lease.js';
import { ConnectionPool, type Connector, PoolClosedError } from './connection-pool.js';
import { driverFailure } from './driver-failure.js';
import { ConnectBackoffError } from './login-backoff.js';
import { DuplicateColumnError } from './result-columns.js';

/** One engine, as the probe pool drives it. */
export interface EngineAdapter<C> {
  readonly name: string;
  /**
   * What opens, resets, cancels and destroys connections to `target`. `warn` takes what the
   * first connection finds out about the database user (see `DatabasePool.warnings`).
   */
  connector(target: ConnectionTarget, warn: (warning: DatabaseWarning) => void): Connector<C>;
  /** the most connections `target` may open at once */
  maxConnections(target: ConnectionTarget): number;
  /** kysely's dialect over connections checked out with `checkOut` */
  dialect(checkOut: () => Promise<CheckedOut<C>>): Dialect;
  /** the statements that open a probe's read-only transaction with a statement timeout of `timeoutMs` */
  begin(connection: C, timeoutMs: number): readonly string[];
  /** whether a result stream left early leaves its connection usable; if not, the connection is abandoned */
  readonly stopsStreamsCleanly: boolean;
  /**
   * How its driver binds a probe's parameters: the SQL syntax its server reads (which tells where
   * the `:name` placeholders are) and its own marker for the n-th bound value (from 0): `$1`, `?`.
   */
  readonly parameters: { readonly syntax: SqlSyntax; marker(index: number): string };
  /** the probe error a driver's error means; `connected`: a connection was checked out */
  classify(error: unknown, connected: boolean): ProbeError;
  /** whether `error` says the server closed the connection */
  isConnectionLost(error: unknown): boolean;
}

/** A connection as an engine's dialect gets it: the connection and how to give it back. */
export interface CheckedOut<C> {
  readonly connection: C;
  /** back to the pool (`discard`: destroyed, never reused) */
  release(discard?: boolean): void;
}

/** Opens a pool of `engine`'s connections to `target`. */
export function openProbePool<C>(engine: EngineAdapter<C>, target: ConnectionTarget): DatabasePool {
  const warnings: DatabaseWarning[] = [];
  const connections = new ConnectionPool(
    engine.connector(target, (warning) => warnings.push(warning)),
    { max: engine.maxConnections(target) },
  );
  const driver: Driver = engine
    .dialect(async () => {
      const checkout = await checkOutLeased(connections);
      return {
        connection: checkout.connection,
        release: (discard) => (discard ? checkout.destroy() : checkout.release()),
      };
    })
    .createDriver();
  let ready: Promise<void> | undefined;
  let closed = false;

  /** One attempt: check out, begin, stream up to maxRows + 1 rows, give the connection back. */
  const attempt = (
    query: CompiledQuery,
    { timeoutMs, maxRows, deadline }: QueryOptions,
  ): Promise<readonly Row[]> =>
    runLeased(deadline, async (lease) => {
      let connection: DatabaseConnection;
      try {
        ready ??= driver.init();
        await ready;
        connection = await driver.acquireConnection();
      } catch (error) {
        throw probeError(engine, error, false);
      }
      const checkout = lease.checkout;
      if (!checkout) throw new Error(`the ${engine.name} dialect checked out no connection`);
      const rows: Row[] = [];
      // how the connection goes back: reset for the next probe, destroyed, or abandoned mid-statement
      let end: 'release' | 'destroy' | 'abandon' = 'release';
      try {
        for (const statement of engine.begin(checkout.connection as C, timeoutMs)) {
          await connection.executeQuery(CompiledQuery.raw(statement));
        }
        for await (const chunk of connection.streamQuery<Row>(query, maxRows + 1)) {
          for (const row of chunk.rows) rows.push(row);
          if (rows.length > maxRows) {
            if (!engine.stopsStreamsCleanly) end = 'abandon';
            break;
          }
        }
      } catch (error) {
        const lost = engine.isConnectionLost(error);
        // a failed statement leaves an aborted transaction, which the reset ends; a lost connection is gone
        if (lost) end = 'destroy';
        // refused by the engine itself, the result may still be arriving
        else if (error instanceof DuplicateColumnError && !engine.stopsStreamsCleanly) end = 'abandon';
        if (lost && checkout.reused && rows.length === 0 && !lease.abandoned) {
          throw new StaleConnectionError(error);
        }
        throw probeError(engine, error, true);
      } finally {
        if (!lease.abandoned) {
          if (end === 'release') await driver.releaseConnection(connection);
          else if (end === 'destroy') checkout.destroy();
          else checkout.abandon();
        }
      }
      return rows.length > maxRows + 1 ? rows.slice(0, maxRows + 1) : rows;
    });

  return {
    async query(sql, options) {
      if (closed) throw new ProbeError('QUERY_FAILED', 'the connection pool is closed');
      const query = compiled(engine, sql, options);
      try {
        return await attempt(query, options);
      } catch (error) {
        if (!(error instanceof StaleConnectionError)) throw error;
        // the server closed it while it was idle (a restart, a failover, a terminated backend):
        // the other idle ones likely too
        connections.discardIdle();
        try {
          return await attempt(query, options);
        } catch (retried) {
          throw retried instanceof StaleConnectionError ? probeError(engine, retried.failure, true) : retried;
        }
      }
    },
    warnings: () => warnings,
    settled: () => connections.settled(),
    async close() {
      if (closed) return;
      closed = true;
      await connections.close();
    },
  };
}

/**
 * The query the driver runs: the SQL as written, or with its `:name` placeholders replaced by the
 * engine's markers and the values handed to the driver beside it (never spliced into the text).
 */
function compiled<C>(engine: EngineAdapter<C>, sql: string, { parameters }: QueryOptions): CompiledQuery {
  if (parameters === undefined) return CompiledQuery.raw(sql);
  try {
    const bound = bindParameters(sql, engine.parameters.syntax, parameters, engine.parameters.marker);
    return CompiledQuery.raw(bound.sql, [...bound.values]);
  } catch (error) {
    throw new ProbeError('QUERY_FAILED', `the parameters cannot be bound: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** A reused connection the server had closed: the probe runs once more on a fresh one. */
class StaleConnectionError extends Error {
  override readonly name = 'StaleConnectionError';

  constructor(readonly failure: unknown) {
    super('the connection was closed by the server while idle', { cause: failure });
  }
}

function probeError<C>(engine: EngineAdapter<C>, error: unknown, connected: boolean): ProbeError {
  if (error instanceof ProbeError) return error;
  if (error instanceof DuplicateColumnError) return driverFailure('INVALID_VALUE', error);
  if (error instanceof ConnectBackoffError) return driverFailure('CONNECTION_FAILED', error);
  if (error instanceof PoolClosedError) return driverFailure('QUERY_FAILED', error);
  if (error instanceof DeadlineExceededError) return driverFailure('TIMEOUT', error);
  return engine.classify(error, connected);
}
