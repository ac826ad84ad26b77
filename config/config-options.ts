import type { SqlDialect } from '../core/probe-sql.js';

/**
 * What `config/` needs to know about one database engine. The engine registry (an adapter)
 * supplies it, so a new engine needs no edit here.
 */
export interface EngineSyntax {
  /** the port a database of this engine listens on when `port` is omitted */
  readonly defaultPort: number;
  /** URL schemes a `local.url` may use (`postgres`, `postgresql`); default: the engine's name */
  readonly urlSchemes?: readonly string[];
  /** which statements a probe may run and how the engine's SQL quotes and comments; default: Postgres's */
  readonly sqlDialect?: SqlDialect;
  /** whether an embedded `local.pglite` can stand in for a database of this engine */
  readonly pglite?: boolean;
}

export interface ConfigOptions {
  /** the engines this build knows, by name (`postgres`, `mysql`) */
  readonly engines: Readonly<Record<string, EngineSyntax>>;
  /**
   * The region the stack deploys to, asked for outside the file (a command's `--region`): the
   * file's ARNs are checked against it and it becomes `Config.region`; a file naming another
   * region is an error. Absent: the file's `region`, if any.
   */
  readonly region?: string;
}
