/**
 * The database engines, by the name `probes.yaml` uses in `engine:`, and the engines that stand in
 * for those (embedded PGlite in local runs, the RDS Data API for `dataApi:` databases): the single
 * source of what an engine is. A new engine is its adapter file (a kysely dialect and an
 * `EngineAdapter`) and an entry here. Each engine is loaded by a dynamic `import()`, so a bundle
 * loads only the drivers its databases use: a Postgres-only function never loads `mysql2`, a
 * fan-out function without Data API databases never loads the Data API client.
 */
import type { DatabaseEngine } from '../../core/ports.js';
import { MYSQL_SQL, POSTGRES_SQL, type SqlDialect } from '../../core/probe-sql.js';

/** What an engine can do. */
export interface EngineCapabilities {
  /** it runs each probe in a read-only transaction (every engine must) */
  readonly readOnlyTransactions: true;
  /** it logs in with an RDS IAM token (`auth: iam`) */
  readonly iamAuth: boolean;
  /** it runs in-process, for local runs only (`local: { pglite: … }`), never deployed */
  readonly embedded: boolean;
  /** the deployable engines an embedded one can stand in for in a local run */
  readonly standsInFor: readonly string[];
  /**
   * the engine (`engine:`) whose `dataApi:` databases it serves, through the RDS Data API rather
   * than a connection; absent: it serves no Data API database
   */
  readonly dataApiFor?: string;
}

export interface EngineEntry {
  /**
   * its module in this folder, without extension: what `load()` imports. Bundled, it is a chunk of
   * its own, and a deployed function ships it only when one of its databases uses the engine.
   */
  readonly module: string;
  /** the port a database of this engine listens on unless `port:` says otherwise; 0: embedded */
  readonly defaultPort: number;
  /** URL schemes of `local.url` this engine serves, without the colon (`postgres` for `postgres://…`) */
  readonly urlSchemes: readonly string[];
  /** its SQL: which statements a probe may run, how the server quotes and comments */
  readonly sql: SqlDialect;
  readonly capabilities: EngineCapabilities;
  /** loads the engine's module (and its driver) on first use */
  load(): Promise<DatabaseEngine>;
}

// each engine module's default export is its engine
type EngineModule = Promise<{ readonly default: DatabaseEngine }>;

const entry = (
  fields: Omit<EngineEntry, 'load' | 'capabilities'> & {
    readonly capabilities: Omit<EngineCapabilities, 'readOnlyTransactions'>;
  },
  load: () => EngineModule,
): EngineEntry =>
  Object.freeze({
    ...fields,
    urlSchemes: Object.freeze([...fields.urlSchemes]),
    capabilities: Object.freeze({ readOnlyTransactions: true as const, ...fields.capabilities }),
    load: async () => (await load()).default,
  });

export const engineRegistry: Readonly<Record<string, EngineEntry>> = Object.freeze({
  postgres: entry(
    {
      module: 'postgres-engine',
      defaultPort: 5432,
      urlSchemes: ['postgres', 'postgresql'],
      sql: POSTGRES_SQL,
      capabilities: { iamAuth: true, embedded: false, standsInFor: [] },
    },
    () => import('./postgres-engine.js'),
  ),
  mysql: entry(
    {
      module: 'mysql-engine',
      defaultPort: 3306,
      urlSchemes: ['mysql', 'mariadb'],
      sql: MYSQL_SQL,
      capabilities: { iamAuth: true, embedded: false, standsInFor: [] },
    },
    () => import('./mysql-engine.js'),
  ),
  'postgres-data-api': entry(
    {
      module: 'data-api-engine',
      defaultPort: 0,
      urlSchemes: [],
      sql: POSTGRES_SQL,
      capabilities: { iamAuth: false, embedded: false, standsInFor: [], dataApiFor: 'postgres' },
    },
    () => import('./data-api-engine.js').then((module) => ({ default: module.postgresDataApiEngine })),
  ),
  'mysql-data-api': entry(
    {
      module: 'data-api-engine',
      defaultPort: 0,
      urlSchemes: [],
      sql: MYSQL_SQL,
      capabilities: { iamAuth: false, embedded: false, standsInFor: [], dataApiFor: 'mysql' },
    },
    () => import('./data-api-engine.js').then((module) => ({ default: module.mysqlDataApiEngine })),
  ),
  pglite: entry(
    {
      module: 'pglite-engine',
      defaultPort: 0,
      urlSchemes: [],
      sql: POSTGRES_SQL,
      capabilities: { iamAuth: false, embedded: true, standsInFor: ['postgres'] },
    },
    () => import('./pglite-engine.js'),
  ),
});

/** The registry's entry for `name`; undefined for a name it does not hold (`toString` included). */
export function engineEntry(name: string): EngineEntry | undefined {
  return Object.hasOwn(engineRegistry, name) ? engineRegistry[name] : undefined;
}

/**
 * The registry's name of the engine that runs a database's probes: its `engine:`, or for a
 * `dataApi:` database the engine that serves that one through the Data API.
 */
export function deployedEngineName(database: {
  readonly engine: string;
  readonly dataApi?: unknown;
}): string {
  if (database.dataApi === undefined) return database.engine;
  const found = Object.entries(engineRegistry).find(
    ([, entry]) => entry.capabilities.dataApiFor === database.engine,
  );
  return found ? found[0] : `${database.engine}-data-api`;
}

/**
 * The engine modules (paths in this package, `adapters/engines/mysql-engine.ts`) that none of
 * the `used` engines (registry names) loads: a function that runs only those ships without them.
 */
export function unusedEngineModules(used: Iterable<string>): string[] {
  const kept = new Set([...used].map((name) => engineEntry(name)?.module));
  const modules = new Set(Object.values(engineRegistry).map((entry) => entry.module));
  return [...modules].filter((module) => !kept.has(module)).map((module) => `adapters/engines/${module}.ts`);
}

/** The SQL rules of engine `name`, as a query function checks its probes with them. */
export function sqlDialectOf(name: string): SqlDialect | undefined {
  return engineEntry(name)?.sql;
}
