/**
 * A kysely dialect over the RDS Data API, shaped like kysely's own: the cluster engine's compiler
 * and adapter (PostgreSQL's or MySQL's), and a driver whose connections are Data API sessions
 * checked out of a pool. A session runs each statement as one ExecuteStatement call inside its
 * transaction, which it begins with its first statement, as a driver with autocommit off does.
 *
 * The Data API answers with a whole result (1 MiB at most), so a stream is that one result, cut
 * to the rows asked for: there is nothing left on the server to stop reading.
 */
import {
  type CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  MysqlAdapter,
  MysqlIntrospector,
  MysqlQueryCompiler,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryCompiler,
  type QueryResult,
} from 'kysely';
import type { Row } from '../../core/ports.js';

/** What the dialect needs of a Data API session. */
export interface DataApiStatements {
  /** runs one statement in the session's transaction, begun first when none is open */
  execute(sql: string, parameters: readonly unknown[]): Promise<{ rows: Row[]; updated?: number }>;
  /** rolls the session's transaction back, if one is open */
  rollback(): Promise<void>;
}

/** A session checked out of a pool, and how to give it back. */
export interface DataApiCheckout {
  readonly session: DataApiStatements;
  release(discard?: boolean): void;
}

export interface DataApiDialectConfig {
  /** the cluster's engine: which SQL the compiler writes */
  readonly sql: 'postgres' | 'mysql';
  checkOut(): Promise<DataApiCheckout>;
}

export class DataApiDialect implements Dialect {
  readonly #config: DataApiDialectConfig;

  constructor(config: DataApiDialectConfig) {
    this.#config = Object.freeze({ ...config });
  }

  createDriver(): Driver {
    return new DataApiDriver(this.#config.checkOut);
  }

  createQueryCompiler(): QueryCompiler {
    return this.#config.sql === 'postgres' ? new PostgresQueryCompiler() : new MysqlQueryCompiler();
  }

  createAdapter(): DialectAdapter {
    return this.#config.sql === 'postgres' ? new PostgresAdapter() : new MysqlAdapter();
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return this.#config.sql === 'postgres' ? new PostgresIntrospector(db) : new MysqlIntrospector(db);
  }
}

class DataApiDriver implements Driver {
  readonly #checkOut: () => Promise<DataApiCheckout>;
  readonly #checkouts = new WeakMap<DataApiConnection, DataApiCheckout>();

  constructor(checkOut: () => Promise<DataApiCheckout>) {
    this.#checkOut = checkOut;
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    const checkout = await this.#checkOut();
    const connection = new DataApiConnection(checkout.session);
    this.#checkouts.set(connection, checkout);
    return connection;
  }

  async beginTransaction(): Promise<void> {
    // a session's first statement begins its transaction
  }

  async commitTransaction(): Promise<void> {
    throw new Error('the Data API dialect runs read-only transactions, which end with a rollback');
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as DataApiConnection).session.rollback();
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    this.#checkouts.get(connection as DataApiConnection)?.release();
  }

  async destroy(): Promise<void> {}
}

class DataApiConnection implements DatabaseConnection {
  constructor(readonly session: DataApiStatements) {}

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const { rows, updated } = await this.session.execute(compiledQuery.sql, compiledQuery.parameters);
    return { rows: rows as R[], ...(updated !== undefined ? { numAffectedRows: BigInt(updated) } : {}) };
  }

  async *streamQuery<R>(
    compiledQuery: CompiledQuery,
    chunkSize = 100,
  ): AsyncIterableIterator<QueryResult<R>> {
    const { rows } = await this.session.execute(compiledQuery.sql, compiledQuery.parameters);
    for (let at = 0; at < rows.length; at += chunkSize) {
      yield { rows: rows.slice(at, at + chunkSize) as R[] };
    }
  }
}
