/**
 * A kysely dialect for embedded PGlite, shaped like kysely's `PostgresDialect`: PostgreSQL's
 * compiler and adapter, and a driver over a pool that hands out the database to one holder at a
 * time (PGlite runs one statement at a time; a transaction must not interleave with another query).
 *
 * PGlite returns whole results, so streaming goes through a server-side cursor (`DECLARE …
 * CURSOR FOR`, then `FETCH n`), which lives in a transaction: `streamQuery` must run inside one.
 * A result with two columns of one name is refused, as the row would keep only one of them.
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
import { assertDistinctColumns } from './result-columns.js';

/** The part of a PGlite instance the dialect uses (structural, so tests and callers stay free). */
export interface PgliteDatabase {
  query<R>(
    sql: string,
    params?: unknown[],
    options?: { rowMode?: 'array' | 'object' },
  ): Promise<{ rows: R[]; affectedRows?: number; fields: readonly { readonly name: string }[] }>;
}

/** The database, checked out of a pool for one holder. */
export interface PgliteClient {
  readonly database: PgliteDatabase;
  /** back to the pool (`discard`: never handed out again as it is) */
  release(discard?: boolean): void;
}

export interface PglitePool {
  connect(): Promise<PgliteClient>;
  end(): Promise<void>;
}

export interface PgliteDialectConfig {
  readonly pool: PglitePool;
}

export class PgliteDialect implements Dialect {
  readonly #config: PgliteDialectConfig;

  constructor(config: PgliteDialectConfig) {
    this.#config = Object.freeze({ ...config });
  }

  createDriver(): Driver {
    return new PgliteDriver(this.#config.pool);
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
  readonly #pool: PglitePool;
  readonly #clients = new WeakMap<PgliteConnection, PgliteClient>();

  constructor(pool: PglitePool) {
    this.#pool = pool;
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    const client = await this.#pool.connect();
    const connection = new PgliteConnection(client.database);
    this.#clients.set(connection, client);
    return connection;
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

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    this.#clients.get(connection as PgliteConnection)?.release();
  }

  async destroy(): Promise<void> {
    await this.#pool.end();
  }
}

let cursors = 0;

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

  async *streamQuery<R>(
    compiledQuery: CompiledQuery,
    chunkSize = 100,
  ): AsyncIterableIterator<QueryResult<R>> {
    const cursor = `pglite_cursor_${++cursors}`;
    // still one statement: a second one after the query would make the DECLARE fail to parse
    await this.#database.query(`DECLARE ${cursor} NO SCROLL CURSOR FOR ${compiledQuery.sql}`, [
      ...compiledQuery.parameters,
    ]);
    try {
      for (;;) {
        const { rows, fields } = await this.#database.query<unknown[]>(
          `FETCH ${chunkSize} FROM ${cursor}`,
          [],
          {
            rowMode: 'array',
          },
        );
        const names = fields.map((field) => field.name);
        assertDistinctColumns(names);
        if (rows.length > 0) yield { rows: rows.map((values) => rowOf<R>(names, values)) };
        if (rows.length < chunkSize) return;
      }
    } finally {
      // an aborted transaction refuses the CLOSE; its ROLLBACK closes the cursor anyway
      await this.#database.query(`CLOSE ${cursor}`).catch(() => undefined);
    }
  }
}

function rowOf<R>(names: readonly string[], values: readonly unknown[]): R {
  const row: Record<string, unknown> = {};
  for (let i = 0; i < names.length; i++) row[names[i] as string] = values[i];
  return row as R;
}
