/**
 * `probes.yaml` reading bound to the engines this build ships: what the CLI, the CDK app and
 * library users call. `config/` stays engine-agnostic: the engine registry supplies default
 * ports and URL schemes, and this file adds each engine's SQL dialect (which statements a probe
 * may run, how its SQL quotes and comments).
 */
import type { ConfigOptions, EngineSyntax } from '../config/config-options.js';
import { type ConfigResult, loadConfig as loadWith, readConfig as readWith } from '../config/read-config.js';
import type { Config } from '../core/config.js';
import { MYSQL_SQL, POSTGRES_SQL, type SqlDialect } from '../core/probe-sql.js';
import { engineRegistry } from './engines/engine-registry.js';

// engines whose SQL is not Postgres's, and the engines an embedded PGlite can stand in for
const SQL_DIALECTS: ReadonlyMap<string, SqlDialect> = new Map([['mysql', MYSQL_SQL]]);
const PGLITE_STANDS_IN = new Set(['postgres']);

/** What validation needs to know of each registered engine. */
export const ENGINE_SYNTAX: Readonly<Record<string, EngineSyntax>> = Object.fromEntries(
  Object.entries(engineRegistry).map(([name, engine]) => [
    name,
    {
      defaultPort: engine.defaultPort,
      urlSchemes: engine.urlSchemes,
      sqlDialect: SQL_DIALECTS.get(name) ?? POSTGRES_SQL,
      pglite: PGLITE_STANDS_IN.has(name),
    },
  ]),
);

const DEFAULT_OPTIONS: ConfigOptions = { engines: ENGINE_SYNTAX };

/** Reads and validates a `probes.yaml`: the config, or every issue as `FILE:LINE:COL: message`. */
export function readConfig(file: string, options: ConfigOptions = DEFAULT_OPTIONS): ConfigResult {
  return readWith(file, options);
}

/**
 * Reads a `probes.yaml` and returns its frozen, fully defaulted `Config`; throws a `ConfigError`
 * listing every issue.
 *
 * @example
 * new ProbesStack(app, 'Probes', { config: loadConfig('probes.yaml') });
 */
export function loadConfig(file: string, options: ConfigOptions = DEFAULT_OPTIONS): Config {
  return loadWith(file, options);
}
