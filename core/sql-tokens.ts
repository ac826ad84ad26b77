/**
 * SQL split into tokens as the server splits it, so that a rule reading the tokens sees the code the
 * server runs: strings, quoted identifiers, comments and dollar quotes follow PostgreSQL's lexer
 * (`scan.l`) or MySQL's and MariaDB's (`sql_lex.cc`), down to where a line comment ends and where
 * a number stops and a keyword begins (MySQL reads `1e1from` as `1e1 from`).
 *
 * Some of the server's reading depends on settings the SQL does not show (Postgres's
 * `standard_conforming_strings`, MySQL's `NO_BACKSLASH_ESCAPES` and `ANSI_QUOTES`). A `SqlReading`
 * fixes them; `SQL_READINGS` lists every combination a server may run with, for callers that must
 * hold whatever the server's settings are. MySQL's executable comments (`/*! … *\/`) are read as
 * code; where the server's version could decide what is code (a quote inside such a comment or an
 * optimizer hint, a dollar quote), the text is reported as ambiguous rather than guessed.
 */

export type SqlSyntax = 'postgres' | 'mysql';

export interface SqlReading {
  /** a backslash escapes the next character in '…' (Postgres with standard_conforming_strings off; MySQL by default) */
  readonly singleQuoteBackslash: boolean;
  /** a backslash escapes the next character in "…" (MySQL by default; with ANSI_QUOTES "…" is an identifier) */
  readonly doubleQuoteBackslash: boolean;
}

/** the readings a server of each syntax may apply, its default first */
export const SQL_READINGS: Readonly<Record<SqlSyntax, readonly SqlReading[]>> = {
  postgres: [
    { singleQuoteBackslash: false, doubleQuoteBackslash: false },
    { singleQuoteBackslash: true, doubleQuoteBackslash: false },
  ],
  mysql: [
    { singleQuoteBackslash: true, doubleQuoteBackslash: true },
    { singleQuoteBackslash: false, doubleQuoteBackslash: false },
    { singleQuoteBackslash: true, doubleQuoteBackslash: false },
  ],
};

export interface SqlToken {
  /**
   * `word`: a keyword or an unquoted identifier; `quoted`: a quoted identifier; `string`: any
   * string constant, dollar-quoted ones included; `parameter`: `$1`; `symbol`: one character of
   * punctuation or of an operator
   */
  readonly kind: 'word' | 'quoted' | 'string' | 'number' | 'parameter' | 'symbol';
  readonly start: number;
  readonly end: number;
}

export type SqlTokens =
  | { readonly tokens: readonly SqlToken[] }
  /** in this reading a string, identifier or comment never ends: the server rejects the SQL */
  | { readonly unterminated: string }
  /** the server's version, not the text, decides what is code (see above) */
  | { readonly ambiguous: string };

type Problem = { readonly unterminated: string } | { readonly ambiguous: string };

interface Lexer {
  readonly sql: string;
  readonly syntax: SqlSyntax;
  readonly reading: SqlReading;
  readonly tokens: SqlToken[];
}

/** The tokens of `sql` (comments and whitespace left out) as a server of `syntax` reads it under `reading`. */
export function tokenize(sql: string, syntax: SqlSyntax, reading: SqlReading): SqlTokens {
  const lexer: Lexer = { sql, syntax, reading, tokens: [] };
  return scan(lexer, 0, sql.length, false) ?? { tokens: lexer.tokens };
}

const SPACE = new Set([' ', '\t', '\n', '\r', '\f', '\v']);
// Postgres ends a `--` comment at either line break; MySQL and MariaDB only at '\n'
const LINE_BREAKS: Readonly<Record<SqlSyntax, readonly string[]>> = {
  postgres: ['\n', '\r'],
  mysql: ['\n'],
};
const POSTGRES_NUMBER = /(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/y;
const MYSQL_FRACTION = /\.[0-9]*(?:[eE][+-]?[0-9]+)?/y;
const MYSQL_EXPONENT = /[eE][+-]?[0-9]+/y;
const DIGITS = /[0-9]*/y;
// MariaDB reads five or six digits after `/*!` as a version, fewer as code
const VERSION = /(?:[0-9]{5,6})?/y;
const DOLLAR_TAG = /\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/y;

function isDigit(char: string | undefined): boolean {
  return char !== undefined && char >= '0' && char <= '9';
}

function isLetter(char: string | undefined): boolean {
  return char !== undefined && ((char >= 'a' && char <= 'z') || (char >= 'A' && char <= 'Z'));
}

/** identifier characters on both servers: every non-ASCII character is one, as in their byte-wise lexers */
function isWordChar(char: string | undefined): boolean {
  return (
    char !== undefined &&
    (isLetter(char) || isDigit(char) || char === '_' || char === '$' || char >= '\u0080')
  );
}

function isWordStart(char: string, syntax: SqlSyntax): boolean {
  return isLetter(char) || char === '_' || char >= '\u0080' || (syntax === 'mysql' && char === '$');
}

/** MySQL reads `--` as a comment only before a space, a control character or the end */
function opensMysqlDashComment(after: string | undefined): boolean {
  return after === undefined || after <= ' ' || after === '\u007f';
}

function matchAt(pattern: RegExp, sql: string, at: number): number {
  pattern.lastIndex = at;
  return pattern.exec(sql) ? pattern.lastIndex : at;
}

/**
 * Reads `sql` from `from` to `to` into `lexer.tokens`. `inside` is the content of a MySQL
 * executable comment (`/*! … *\/`), which the server reads as code up to the comment's end.
 */
function scan(lexer: Lexer, from: number, to: number, inside: boolean): Problem | undefined {
  const { sql, syntax } = lexer;
  const push = (kind: SqlToken['kind'], start: number, end: number) => {
    lexer.tokens.push({ kind, start, end });
    return end;
  };
  let i = from;
  while (i < to) {
    const char = sql[i] ?? '';
    const next = sql[i + 1];
    if (SPACE.has(char)) {
      i++;
    } else if (
      (char === '-' && next === '-' && (syntax === 'postgres' || opensMysqlDashComment(sql[i + 2]))) ||
      (char === '#' && syntax === 'mysql')
    ) {
      const end = lineEnd(sql, i, to, LINE_BREAKS[syntax]);
      if (end === undefined) {
        if (inside) return { ambiguous: 'a line comment inside an executable comment runs past its end' };
        i = to;
      } else {
        i = end + 1;
      }
    } else if (char === '/' && next === '*') {
      if (inside) return { ambiguous: 'a comment inside an executable comment (/*! … */)' };
      const executable = syntax === 'mysql' && (sql[i + 2] === '!' || sql.startsWith('M!', i + 2));
      if (executable) {
        // `/*!50700 … */` and `/*M!100101 … */`: code for a server of that version or later
        const bang = sql.indexOf('!', i + 2);
        const contentStart = matchAt(VERSION, sql, bang + 1);
        const close = sql.indexOf('*/', contentStart);
        if (close < 0 || close + 2 > to) return unterminated('a comment', sql, i);
        const problem = scan(lexer, contentStart, close, true);
        if (problem) {
          return {
            ambiguous: `an executable comment (${snippet(sql, i)}) holds a quote or comment that runs past its end`,
          };
        }
        i = close + 2;
      } else {
        const end = blockCommentEnd(sql, i, to, syntax === 'postgres');
        if (end === undefined) return unterminated('a comment', sql, i);
        // the server's own hint parser reads `/*+ … */`, and a quoted name there may hold `*/`
        if (syntax === 'mysql' && sql[i + 2] === '+' && /['"`]/.test(sql.slice(i + 3, end - 2))) {
          return { ambiguous: `an optimizer hint holds quotes, so it may end elsewhere: ${snippet(sql, i)}` };
        }
        i = end;
      }
    } else if (char === "'") {
      const end = quoteEnd(sql, i, to, lexer.reading.singleQuoteBackslash);
      if (end === undefined) return unterminated('a string', sql, i);
      i = push('string', i, end);
    } else if (char === '"' && syntax === 'postgres') {
      const end = quoteEnd(sql, i, to, false);
      if (end === undefined) return unterminated('a quoted identifier', sql, i);
      i = push('quoted', i, end);
    } else if (char === '"') {
      const end = quoteEnd(sql, i, to, lexer.reading.doubleQuoteBackslash);
      if (end === undefined) return unterminated('a string', sql, i);
      i = push('string', i, end);
    } else if (char === '`' && syntax === 'mysql') {
      const end = quoteEnd(sql, i, to, false);
      if (end === undefined) return unterminated('a quoted identifier', sql, i);
      i = push('quoted', i, end);
    } else if (char === '$' && syntax === 'postgres') {
      if (isDigit(next)) {
        i = push('parameter', i, matchAt(DIGITS, sql, i + 1));
        continue;
      }
      const tagEnd = matchAt(DOLLAR_TAG, sql, i);
      if (tagEnd === i) {
        i = push('symbol', i, i + 1);
        continue;
      }
      const tag = sql.slice(i, tagEnd);
      const close = sql.indexOf(tag, tagEnd);
      if (close < 0 || close + tag.length > to) return unterminated('a dollar-quoted string', sql, i);
      i = push('string', i, close + tag.length);
    } else if (char === '$' && matchAt(DOLLAR_TAG, sql, i) > i) {
      // MySQL 9 reads `$tag$ … $tag$` as a string around routine bodies, older servers as a name
      return {
        ambiguous: `a dollar quote, which only some MySQL versions read as a string: ${snippet(sql, i)}`,
      };
    } else if (isDigit(char) || (char === '.' && isDigit(next))) {
      const [kind, end] =
        syntax === 'postgres' ? (['number', matchAt(POSTGRES_NUMBER, sql, i)] as const) : mysqlNumber(sql, i);
      i = push(kind, i, end);
    } else if (isWordStart(char, syntax)) {
      let end = i + 1;
      while (isWordChar(sql[end])) end++;
      const prefixed = syntax === 'postgres' ? postgresPrefixedString(lexer, i, end, to) : undefined;
      if (prefixed === undefined) {
        i = push('word', i, end);
      } else if (typeof prefixed === 'number') {
        i = push('string', i, prefixed);
      } else {
        return prefixed;
      }
    } else {
      i = push('symbol', i, i + 1);
    }
  }
  return undefined;
}

/**
 * MySQL's numbers: `1e1from` is `1e1` and `from`, `1.5from` is `1.5` and `from`, but `1abc` and
 * `0x1Ffrom` are identifiers.
 */
function mysqlNumber(sql: string, at: number): ['number' | 'word', number] {
  if (sql[at] === '.') return ['number', matchAt(MYSQL_FRACTION, sql, at)];
  const digitsEnd = matchAt(DIGITS, sql, at);
  const after = sql[digitsEnd];
  if (after === '.') return ['number', matchAt(MYSQL_FRACTION, sql, digitsEnd)];
  if (!isWordChar(after)) return ['number', digitsEnd];
  const exponentEnd = matchAt(MYSQL_EXPONENT, sql, digitsEnd);
  if (exponentEnd > digitsEnd) return ['number', exponentEnd];
  let end = digitsEnd;
  while (isWordChar(sql[end])) end++;
  return ['word', end];
}

/**
 * Postgres's prefixed strings: the end of `E'…'` (backslash escapes whatever the settings), of
 * `B'…'`, `X'…'` and `U&'…'` (never), of `N'…'` (as a plain string); undefined when the word
 * from `start` to `wordEnd` is no prefix.
 */
function postgresPrefixedString(
  lexer: Lexer,
  start: number,
  wordEnd: number,
  to: number,
): number | Problem | undefined {
  const { sql } = lexer;
  const prefix = wordEnd - start === 1 ? (sql[start] ?? '').toLowerCase() : '';
  let quote = wordEnd;
  let backslash: boolean;
  if (prefix === 'u' && sql[wordEnd] === '&') {
    quote = wordEnd + 1;
    backslash = false;
  } else if (prefix === 'e') {
    backslash = true;
  } else if (prefix === 'b' || prefix === 'x') {
    backslash = false;
  } else if (prefix === 'n') {
    backslash = lexer.reading.singleQuoteBackslash;
  } else {
    return undefined;
  }
  if (sql[quote] !== "'") return undefined;
  return quoteEnd(sql, quote, to, backslash) ?? unterminated('a string', sql, start);
}

/** the index of the line break ending the comment at `from`, if one comes before `to` */
function lineEnd(sql: string, from: number, to: number, breaks: readonly string[]): number | undefined {
  for (let i = from; i < to; i++) {
    if (breaks.includes(sql[i] ?? '')) return i;
  }
  return undefined;
}

/** the index after the comment opening at `from`; Postgres nests them, MySQL ends at the first `*\/` */
function blockCommentEnd(sql: string, from: number, to: number, nested: boolean): number | undefined {
  let depth = 1;
  let i = from + 2;
  while (i < to - 1) {
    if (nested && sql[i] === '/' && sql[i + 1] === '*') {
      depth++;
      i += 2;
    } else if (sql[i] === '*' && sql[i + 1] === '/') {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else {
      i++;
    }
  }
  return undefined;
}

/** the index after the closing quote of the quote at `from`; a doubled quote is an escaped one */
function quoteEnd(sql: string, from: number, to: number, backslash: boolean): number | undefined {
  const quote = sql[from];
  let i = from + 1;
  while (i < to) {
    const char = sql[i];
    if (backslash && char === '\\') {
      i += 2;
    } else if (char === quote) {
      if (sql[i + 1] !== quote || i + 1 >= to) return i + 1;
      i += 2;
    } else {
      i++;
    }
  }
  return undefined;
}

function snippet(sql: string, at: number): string {
  const text = sql.slice(at, at + 24).replace(/\s+/g, ' ');
  return at + 24 < sql.length ? `${text}…` : text;
}

function unterminated(what: string, sql: string, at: number): Problem {
  return { unterminated: `${what} never ends: ${snippet(sql, at)}` };
}
