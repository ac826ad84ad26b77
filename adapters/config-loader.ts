/**
 * `probes.yaml` reading bound to the engines this build ships: what the CLI, the CDK app and
 * library users call. `config/` stays engine-agnostic: the engine registry supplies default
 * ports, URL schemes, each engine's SQL dialect (which statements a probe may run, how its SQL
 * quotes and comments) and which engines an embedded PGlite can stand in for.
 */
import { ConfigError } from '../config/config-error.js';
import { createIssue } from '../config/config-issue.js';
import type { ConfigOptions, EngineSyntax } from '../config/config-options.js';
import { type ConfigResult, parseConfigText, readConfig as readWith } from '../config/read-config.js';
import { causeOf } from '../core/error-cause.js';
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
  return guarded(file, () => readWith(file, { ...DEFAULT_OPTIONS, ...options }));
}

/**
 * Validates `text` as a `probes.yaml` named `file` in messages (`<stdin>`, say); relative paths
 * in it resolve from the folder `file` would be in.
 */
export function readConfigText(
  text: string,
  file: string,
  options: Partial<ConfigOptions> = {},
): ConfigResult {
  return guarded(file, () => parseConfigText(text, file, { ...DEFAULT_OPTIONS, ...options }));
}

/** A document no reader copes with (an alias bomb, nesting deeper than the stack) is one issue at 1:1. */
function guarded(file: string, read: () => ConfigResult): ConfigResult {
  try {
    return read();
  } catch (error) {
    const message = `cannot read the file: ${unreadableReason(error)}`;
    return { ok: false, errors: [createIssue({ file, line: 1, column: 1, path: '', message })] };
  }
}

function unreadableReason(error: unknown): string {
  if (error instanceof RangeError) return 'it nests too deeply';
  const message = causeOf(error);
  // yaml's guard against "billion laughs" documents
  if (/alias/i.test(message)) return 'its aliases expand to too many values (more than 10,000)';
  return message;
}

/**
 * Reads a `probes.yaml` and returns its frozen, fully defaulted `Config`; throws a `ConfigError`
 * listing every issue.
 *
 * @example
 * new ProbesStack(app, 'Probes', { config: loadConfig('probes.yaml') });
 */
export function loadConfig(file: string, options: Partial<ConfigOptions> = {}): Config {
  const result = readConfig(file, options);
  if (!result.ok) throw new ConfigError(result.errors);
  return result.config;
}
