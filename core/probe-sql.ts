/**
 * What SQL a probe may run: exactly one query statement. `chasm validate` applies the rule to
 * probes.yaml; it is pure so that a query function can apply it to the SQL it was deployed with.
 *
 * The statement must start (after any opening parentheses) with a keyword from the dialect's
 * allow-list, and hold no keyword that writes, stores a result or takes locks anywhere in its code:
 * `WITH d AS (DELETE … RETURNING *) SELECT …` starts like a query. Strings, quoted identifiers,
 * comments and dollar quotes are told from code as the server tells them, under each setting it may
 * run with (see `sql-tokens.ts`); the SQL is refused when any of those readings finds a problem.
 * Function names are words of their own (`pg_advisory_lock`, `GET_LOCK`) and pass: session state
 * they leave behind is the engine's to reset.
 */
import { SQL_READINGS, type SqlSyntax, type SqlToken, tokenize } from './sql-tokens.js';

export interface SqlDialect {
  /** how the engine's server splits SQL into tokens: quotes, comments, numbers */
  readonly syntax: SqlSyntax;
  /** the keywords a probe's statement may start with, after any opening parentheses */
  readonly statements: readonly string[];
}

export const POSTGRES_SQL: SqlDialect = Object.freeze({
  syntax: 'postgres',
  statements: Object.freeze(['SELECT', 'WITH', 'VALUES', 'TABLE']),
});

export const MYSQL_SQL: SqlDialect = Object.freeze({
  syntax: 'mysql',
  statements: Object.freeze(['SELECT', 'WITH', 'VALUES', 'TABLE', 'SHOW']),
});

/** keywords no query needs, wherever they stand, and what they would do */
const FORBIDDEN: ReadonlyMap<string, string> = new Map([
  ['INSERT', 'which writes data'],
  ['UPDATE', 'which writes data'],
  ['DELETE', 'which writes data'],
  ['MERGE', 'which writes data'],
  ['INTO', 'which stores a result (in a table, a file or variables) instead of returning it'],
  ['LOCK', 'which takes locks'],
  ['UNLOCK', 'which releases locks'],
]);

/** the words after FOR that make it a row lock: FOR UPDATE, FOR SHARE, FOR NO KEY UPDATE, FOR KEY SHARE */
const ROW_LOCK = new Set(['UPDATE', 'SHARE', 'NO', 'KEY']);

const IDENTIFIER_QUOTE: Readonly<Record<SqlSyntax, (name: string) => string>> = {
  // Postgres folds unquoted names to lower case, so the quoted name that means the same is lower case
  postgres: (name) => `"${name.toLowerCase()}"`,
  mysql: (name) => `\`${name}\``,
};

/**
 * Why `sql` may not run as a probe under `dialect`, as a sentence naming what was found; undefined
 * when it may.
 *
 * @example
 * refusedProbeSql('SELECT count(*) AS n FROM t', POSTGRES_SQL); // undefined
 * refusedProbeSql('DELETE FROM t RETURNING 1', POSTGRES_SQL);
 * // 'a probe runs one query statement (SELECT, WITH … SELECT, VALUES, TABLE), not DELETE'
 */
export function refusedProbeSql(sql: string, dialect: SqlDialect): string | undefined {
  if (sql.trim() === '') return 'the sql is empty';
  // MySQL ends a line comment at a NUL and Postgres ends the whole text there
  if (sql.includes('\u0000')) return 'the sql holds a NUL character, which ends it early on some servers';
  let unterminated: string | undefined;
  let readable = false;
  for (const reading of SQL_READINGS[dialect.syntax]) {
    const read = tokenize(sql, dialect.syntax, reading);
    if ('ambiguous' in read) return `the sql cannot be read with certainty: ${read.ambiguous}`;
    if ('unterminated' in read) {
      // a server with these settings rejects the SQL, so it can do nothing there
      unterminated ??= `the sql is cut short: ${read.unterminated}`;
      continue;
    }
    const reason = refusedStatements(sql, read.tokens, dialect);
    if (reason !== undefined) return reason;
    readable = true;
  }
  return readable ? undefined : unterminated;
}

/**
 * The statements of `sql` as the server reads it with its default settings, each trimmed from its
 * first to its last token; empty ones (`;;`, comments only) left out.
 */
export function splitStatements(sql: string, dialect: SqlDialect): string[] {
  const [reading] = SQL_READINGS[dialect.syntax];
  const read = reading ? tokenize(sql, dialect.syntax, reading) : undefined;
  if (read === undefined || !('tokens' in read)) return sql.trim() === '' ? [] : [sql.trim()];
  return statementsOf(sql, read.tokens).map((tokens) => textOf(sql, tokens));
}

function statementsOf(sql: string, tokens: readonly SqlToken[]): SqlToken[][] {
  const statements: SqlToken[][] = [[]];
  for (const token of tokens) {
    if (token.kind === 'symbol' && sql[token.start] === ';') statements.push([]);
    else statements.at(-1)?.push(token);
  }
  return statements.filter((statement) => statement.length > 0);
}

function textOf(sql: string, tokens: readonly SqlToken[]): string {
  return sql.slice(tokens[0]?.start ?? 0, tokens.at(-1)?.end ?? 0);
}

/** the keyword a word token spells: ASCII letters only, as both servers match keywords */
function keywordOf(sql: string, token: SqlToken | undefined): string | undefined {
  if (token?.kind !== 'word') return undefined;
  const word = sql.slice(token.start, token.end);
  return /^[A-Za-z]+$/.test(word) ? word.toUpperCase() : undefined;
}

function refusedStatements(
  sql: string,
  tokens: readonly SqlToken[],
  dialect: SqlDialect,
): string | undefined {
  const statements = statementsOf(sql, tokens);
  const [statement, second] = statements;
  if (statement === undefined) return "the sql holds no statement, only comments or ';'";
  if (second !== undefined) {
    const begins = textOf(sql, second).replace(/\s+/g, ' ').slice(0, 40);
    return `the sql holds ${statements.length} statements (the second begins '${begins}'); a probe runs exactly one`;
  }
  const first = statement.find((token) => !(token.kind === 'symbol' && sql[token.start] === '('));
  const keyword = keywordOf(sql, first);
  if (keyword === undefined || !dialect.statements.includes(keyword)) {
    const found = keyword ?? (first ? sql.slice(first.start, first.end).slice(0, 20) : '(');
    return `a probe runs one query statement (${allowed(dialect)}), not ${found}`;
  }
  for (const [index, token] of statement.entries()) {
    const word = keywordOf(sql, token);
    if (word === 'FOR') {
      const lock = rowLockAfter(sql, statement.slice(index + 1));
      if (lock.length > 0) {
        return `the sql holds FOR ${lock.join(' ')}, which locks the rows it reads; a probe reads without locking`;
      }
    }
    const effect = word === undefined ? undefined : FORBIDDEN.get(word);
    if (effect !== undefined) {
      const name = sql.slice(token.start, token.end);
      return `the sql holds ${word}, ${effect}; a probe only reads (to use ${name} as a name, quote it: ${IDENTIFIER_QUOTE[dialect.syntax](name)})`;
    }
  }
  return undefined;
}

/** the row-lock keywords right after a FOR: [] for `SUBSTRING(x FROM 1 FOR 2)` */
function rowLockAfter(sql: string, tokens: readonly SqlToken[]): string[] {
  const lock: string[] = [];
  for (const token of tokens) {
    const keyword = keywordOf(sql, token);
    if (keyword === undefined || !ROW_LOCK.has(keyword)) break;
    lock.push(keyword);
  }
  return lock;
}

/** the allow-list in words: `SELECT, WITH … SELECT, VALUES, TABLE` */
function allowed(dialect: SqlDialect): string {
  return dialect.statements.map((keyword) => (keyword === 'WITH' ? 'WITH … SELECT' : keyword)).join(', ');
}
