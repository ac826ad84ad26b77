/**
 * `probes.yaml` reading bound to the engines this build ships: what the CLI, the CDK app and
 * library users call. `config/` stays engine-agnostic: the engine registry supplies default
 * ports, URL schemes, each engine's SQL dialect (which statements a probe may run, how its SQL
 * quotes and comments) and which engines an embedded PGlite can stand in for.
 */
import type { ConfigOptions, EngineSyntax } from '../config/config-options.js';
import { type ConfigResult, loadConfig as loadWith, readConfig as readWith } from '../config/read-config.js';
import type { Config } from '../core/model.js';
import { engineRegistry } from './engines/engine-registry.js';

/** What validation needs to know of each registered engine, all from the registry. */
export const ENGINE_SYNTAX: Readonly<Record<string, EngineSyntax>> = Object.fromEntries(
  Object.entries(engineRegistry).map(([name, engine]) => [
    name,
    {
      defaultPort: engine.defaultPort,
      urlSchemes: engine.urlSchemes,
      sqlDialect: engine.sql,
      pglite: Object.values(engineRegistry).some(
        (other) => other.capabilities.embedded && other.capabilities.standsInFor.includes(name),
      ),
    },
  ]),
);

const DEFAULT_OPTIONS: ConfigOptions = { engines: ENGINE_SYNTAX };

/**
 * Reads and validates a `probes.yaml`: the config, or every issue as `FILE:LINE:COL: message`.
 * `options.region` is a region asked for outside the file (a command's `--region`).
 */
export function readConfig(file: string, options: Partial<ConfigOptions> = {}): ConfigResult {
  return readWith(file, { ...DEFAULT_OPTIONS, ...options });
}

/**
 * Reads a `probes.yaml` and returns its frozen, fully defaulted `Config`; throws a `ConfigError`
 * listing every issue.
 *
 * @example
 * new ProbesStack(app, 'Probes', { config: loadConfig('probes.yaml') });
 */
export function loadConfig(file: string, options: Partial<ConfigOptions> = {}): Config {
  return loadWith(file, { ...DEFAULT_OPTIONS, ...options });
}
