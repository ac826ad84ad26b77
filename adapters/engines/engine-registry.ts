/**
 * The database engines, by the name `probes.yaml` uses in `engine:`. A new engine is one adapter
 * file and one line here. Each engine is loaded by a dynamic `import()`, so a bundle loads only
 * the drivers its databases use: a Postgres-only function never loads `mysql2`.
 */
import type { DatabaseEngine } from '../../core/ports.js';

export interface EngineEntry {
  /** the port a database of this engine listens on unless `port:` says otherwise; 0: embedded */
  readonly defaultPort: number;
  /** URL schemes of `local.url` this engine serves, without the colon (`postgres` for `postgres://…`) */
  readonly urlSchemes: readonly string[];
  /** loads the engine's module (and its driver) on first use */
  load(): Promise<DatabaseEngine>;
}

// each engine module's default export is its engine
type EngineModule = Promise<{ readonly default: DatabaseEngine }>;

const entry = (defaultPort: number, urlSchemes: readonly string[], load: () => EngineModule): EngineEntry =>
  Object.freeze({
    defaultPort,
    urlSchemes: Object.freeze([...urlSchemes]),
    load: async () => (await load()).default,
  });

export const engineRegistry: Readonly<Record<string, EngineEntry>> = Object.freeze({
  postgres: entry(5432, ['postgres', 'postgresql'], () => import('./postgres-engine.js')),
  mysql: entry(3306, ['mysql', 'mariadb'], () => import('./mysql-engine.js')),
  // embedded, local runs only (`local: { pglite: … }`); never deployed
  pglite: entry(0, [], () => import('./pglite-engine.js')),
});
