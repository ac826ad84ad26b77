/**
 * A small kysely dialect for embedded PGlite: PostgreSQL's compiler and adapter, and a driver
 * with one in-process database whose single connection is handed to one holder at a time
 * (PGlite runs one statement at a time; a transaction must not interleave with another query).
 */
import {
  CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';

/** The part of a PGlite instance the dialect uses (structural, so tests and callers stay free). */
export interface PgliteDatabase {
  query<R>(sql: string, params?: unknown[]): Promise<{ rows: R[]; affectedRows?: number }>;
  close(): Promise<void>;
}

export interface PgliteDialectConfig {
  /** creates the database once, when the first query needs it (e.g. `PGlite.create()` then seeding) */
  readonly database: () => Promise<PgliteDatabase>;
}

export class PgliteDialect implements Dialect {
  readonly #config: PgliteDialectConfig;

  constructor(config: PgliteDialectConfig) {
    this.#config = Object.freeze({ ...config });
  }

  createDriver(): Driver {
    return new PgliteDriver(this.#config);
  }

  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler();
  }

  createAdapter(): DialectAdapter {
    return new PostgresAdapter();
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }
}

class PgliteDriver implements Driver {
  readonly #config: PgliteDialectConfig;
  #database: PgliteDatabase | undefined;
  #connection: PgliteConnection | undefined;
  // the end of the line of holders: each acquisition waits for the previous release
  #tail: Promise<void> = Promise.resolve();
  #release: (() => void) | undefined;

  constructor(config: PgliteDialectConfig) {
    this.#config = config;
  }

  async init(): Promise<void> {
    this.#database = await this.#config.database();
    this.#connection = new PgliteConnection(this.#database);
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    let release!: () => void;
    const turn = new Promise<void>((resolve) => {
      release = resolve;
    });
    const previous = this.#tail;
    this.#tail = previous.then(() => turn);
    await previous;
    this.#release = release;
    if (!this.#connection) {
      release();
      throw new Error('the PGlite database is closed');
    }
    return this.#connection;
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const mode = [
      settings.isolationLevel ? `isolation level ${settings.isolationLevel}` : '',
      settings.accessMode ?? '',
    ]
      .filter(Boolean)
      .join(' ');
    await connection.executeQuery(CompiledQuery.raw(mode ? `start transaction ${mode}` : 'begin'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async releaseConnection(): Promise<void> {
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }

  async destroy(): Promise<void> {
    const database = this.#database;
    this.#database = undefined;
    this.#connection = undefined;
    await database?.close();
  }
}

class PgliteConnection implements DatabaseConnection {
  readonly #database: PgliteDatabase;

  constructor(database: PgliteDatabase) {
    this.#database = database;
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    // PGlite's query() uses the extended protocol: exactly one statement
    const result = await this.#database.query<R>(compiledQuery.sql, [...compiledQuery.parameters]);
    return {
      rows: result.rows,
      ...(result.affectedRows !== undefined ? { numAffectedRows: BigInt(result.affectedRows) } : {}),
    };
  }

  // biome-ignore lint/correctness/useYield: streaming is not offered; the generator only refuses
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('the PGlite dialect does not stream results');
  }
}
