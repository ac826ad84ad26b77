/**
 * Bound parameters: a probe with `parameters:` runs its SQL once per parameter map, each `:name`
 * placeholder bound by the driver to that map's value, never spliced into the text.
 *
 * A placeholder is a `:` token directly followed by a word token, with no `:` token directly
 * before it (`x::int` is a Postgres cast). Tokens come from `sql-tokens.ts`, so a `:name` inside a
 * string, a quoted identifier, a comment or a dollar quote is no placeholder; every reading of the
 * server must find the same placeholders, or the SQL is refused. The engine's own placeholders
 * (`$1` on Postgres, `?` on MySQL) are refused next to `:name` ones: the driver would take them
 * for its own. Only a probe with `parameters:` has placeholders; any other SQL runs as written.
 */
import type { SqlDialect } from './probe-sql.js';
import { SQL_READINGS, type SqlSyntax, type SqlToken, tokenize } from './sql-tokens.js';

/** A parameter's value as probes.yaml writes it. */
export type ParameterValue = string | number | boolean;

/** One run's parameters: placeholder name → value. */
export type ParameterMap = Readonly<Record<string, ParameterValue>>;

/** One `:name` in the SQL: its name and where it stands (the colon included). */
export interface Placeholder {
  readonly name: string;
  readonly start: number;
  readonly end: number;
}

export type PlaceholderReading =
  | { readonly placeholders: readonly Placeholder[] }
  /** a sentence saying why the placeholders cannot be told with certainty */
  | { readonly problem: string };

/**
 * The placeholders of `sql`, in order, as a server of `syntax` reads it under each of its settings.
 *
 * @example
 * placeholdersOf("SELECT count(*) FROM t WHERE s = :status AND x::int > 0 -- :not", 'postgres');
 * // { placeholders: [{ name: 'status', start: 32, end: 39 }] }
 */
export function placeholdersOf(sql: string, syntax: SqlSyntax): PlaceholderReading {
  let found: Placeholder[] | undefined;
  for (const reading of SQL_READINGS[syntax]) {
    const read = tokenize(sql, syntax, reading);
    if ('ambiguous' in read) return { problem: `the sql cannot be read with certainty: ${read.ambiguous}` };
    // a server with these settings rejects the SQL, so it binds nothing there
    if ('unterminated' in read) continue;
    const native = nativePlaceholder(sql, read.tokens, syntax);
    if (native !== undefined) return { problem: native };
    const placeholders = placeholderTokens(sql, read.tokens);
    if (found === undefined) found = placeholders;
    else if (!samePlaceholders(found, placeholders)) {
      return {
        problem: `the sql's placeholders depend on how the server reads backslashes in strings (${names(found)} or ${names(placeholders)}); write the strings without backslashes`,
      };
    }
  }
  return found === undefined
    ? { problem: 'the sql is cut short: a string or comment never ends' }
    : { placeholders: found };
}

/** the placeholders' names as a list for a message: `:a, :b`, or `none` */
function names(placeholders: readonly Placeholder[]): string {
  return placeholders.length === 0 ? 'none' : placeholders.map((p) => `:${p.name}`).join(', ');
}

function samePlaceholders(a: readonly Placeholder[], b: readonly Placeholder[]): boolean {
  return a.length === b.length && a.every((p, i) => p.start === b[i]?.start && p.end === b[i]?.end);
}

function isColon(sql: string, token: SqlToken | undefined): boolean {
  return token?.kind === 'symbol' && sql[token.start] === ':';
}

function placeholderTokens(sql: string, tokens: readonly SqlToken[]): Placeholder[] {
  const placeholders: Placeholder[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const colon = tokens[i];
    const word = tokens[i + 1];
    if (!colon || !isColon(sql, colon) || word?.kind !== 'word' || word.start !== colon.end) continue;
    const before = tokens[i - 1];
    if (isColon(sql, before) && before?.end === colon.start) continue;
    placeholders.push({ name: sql.slice(word.start, word.end), start: colon.start, end: word.end });
    i++;
  }
  return placeholders;
}

/** why a token of the engine's own placeholder syntax cannot stand beside `:name` ones */
function nativePlaceholder(sql: string, tokens: readonly SqlToken[], syntax: SqlSyntax): string | undefined {
  for (const token of tokens) {
    if (syntax === 'postgres' && token.kind === 'parameter') {
      return `the sql holds ${sql.slice(token.start, token.end)}, the driver's own placeholder; with parameters, write :name placeholders only`;
    }
    if (syntax === 'mysql' && token.kind === 'symbol' && sql[token.start] === '?') {
      return "the sql holds ?, which a prepared statement takes for a placeholder; with parameters, write :name placeholders only (and '?' inside strings)";
    }
  }
  return undefined;
}

/** What a parameter map lacks and what it holds in vain, against the names of the SQL's placeholders. */
export function parameterMismatch(
  placeholders: readonly string[],
  map: ParameterMap,
): { readonly missing: readonly string[]; readonly unused: readonly string[] } {
  const used = new Set(placeholders);
  return {
    missing: [...used].filter((name) => !Object.hasOwn(map, name)),
    unused: Object.keys(map).filter((name) => !used.has(name)),
  };
}

/**
 * Why `sql` cannot run with `maps` under `dialect`, as a sentence; undefined when it can. What a
 * query function checks of the parameters it was deployed with (`chasm validate` says the same,
 * each at its place in the file).
 */
export function refusedParameters(
  sql: string,
  dialect: SqlDialect,
  maps: readonly ParameterMap[],
): string | undefined {
  const read = placeholdersOf(sql, dialect.syntax);
  if ('problem' in read) return read.problem;
  for (const [index, map] of maps.entries()) {
    const names = read.placeholders.map((placeholder) => placeholder.name);
    const { missing, unused } = parameterMismatch(names, map);
    if (missing.length > 0) return `parameters map ${index + 1} has no value for :${missing.join(', :')}`;
    if (unused.length > 0) {
      return `parameters map ${index + 1} gives ${unused.join(', ')}, which the sql does not use (no :${unused[0]})`;
    }
  }
  return undefined;
}

/** The SQL a driver runs: each placeholder replaced by the engine's own marker, and the values in marker order. */
export interface BoundSql {
  readonly sql: string;
  readonly values: readonly ParameterValue[];
}

/** a character a name may hold: a marker right after one would join it (`lo:hi` must not become `lo$1`) */
const NAME_CHAR = /[A-Za-z0-9_$\u0080-\uffff]/;

/**
 * `sql` with each `:name` replaced by `marker(n)` (`$1` or `?`; n counts from 0 in order of
 * appearance, one per occurrence), set apart by a space where it would join the name before it,
 * and the value of each. Throws when the SQL's placeholders cannot be told or a value is missing
 * (what `refusedParameters` says beforehand).
 *
 * @example
 * bindParameters('SELECT :a, :b, :a', 'postgres', { a: 1, b: 'x' }, (n) => `$${n + 1}`);
 * // { sql: 'SELECT $1, $2, $3', values: [1, 'x', 1] }
 */
export function bindParameters(
  sql: string,
  syntax: SqlSyntax,
  map: ParameterMap,
  marker: (index: number) => string,
): BoundSql {
  const read = placeholdersOf(sql, syntax);
  if ('problem' in read) throw new Error(read.problem);
  let text = '';
  let at = 0;
  const values: ParameterValue[] = [];
  for (const placeholder of read.placeholders) {
    if (!Object.hasOwn(map, placeholder.name)) throw new Error(`no value for :${placeholder.name}`);
    const apart = NAME_CHAR.test(sql[placeholder.start - 1] ?? '') ? ' ' : '';
    text += sql.slice(at, placeholder.start) + apart + marker(values.length);
    values.push(map[placeholder.name] as ParameterValue);
    at = placeholder.end;
  }
  return { sql: text + sql.slice(at), values };
}

/** A parameter map for messages: `status="open", limit=5`. */
export function describeParameters(map: ParameterMap): string {
  return Object.entries(map)
    .map(([name, value]) => `${name}=${typeof value === 'string' ? JSON.stringify(value) : String(value)}`)
    .join(', ');
}
