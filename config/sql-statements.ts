/**
 * Splits SQL into statements at the semicolons that are really separators: not inside quotes,
 * quoted identifiers, comments or Postgres dollar-quoted bodies. A probe must hold exactly one.
 */

export interface SqlDialect {
  /** backslash escapes inside '…' and "…" (MySQL's default); Postgres uses them only in E'…' */
  readonly backslashEscapes: boolean;
  /** `$tag$ … $tag$` bodies (Postgres) */
  readonly dollarQuotes: boolean;
  /** `# …` line comments and `…` identifiers (MySQL) */
  readonly hashCommentsAndBackticks: boolean;
  /** nested block comments (Postgres) */
  readonly nestedComments: boolean;
}

export const POSTGRES_SQL: SqlDialect = {
  backslashEscapes: false,
  dollarQuotes: true,
  hashCommentsAndBackticks: false,
  nestedComments: true,
};

export const MYSQL_SQL: SqlDialect = {
  backslashEscapes: true,
  dollarQuotes: false,
  hashCommentsAndBackticks: true,
  nestedComments: false,
};

/** The statements of `sql` with their code (comments kept), in order; empty ones (`;;`, comments only) left out. */
export function splitStatements(sql: string, dialect: SqlDialect): string[] {
  const statements: string[] = [];
  let start = 0;
  let hasCode = false;
  let i = 0;
  const end = (at: number) => {
    if (hasCode) statements.push(sql.slice(start, at).trim());
    start = at + 1;
    hasCode = false;
  };
  while (i < sql.length) {
    const char = sql[i] ?? '';
    const next = sql[i + 1] ?? '';
    if (char === '-' && next === '-') {
      i = lineEnd(sql, i);
    } else if (char === '#' && dialect.hashCommentsAndBackticks) {
      i = lineEnd(sql, i);
    } else if (char === '/' && next === '*') {
      i = blockCommentEnd(sql, i, dialect.nestedComments);
    } else if (char === "'" || char === '"' || (char === '`' && dialect.hashCommentsAndBackticks)) {
      const escaped =
        dialect.backslashEscapes ||
        (char === "'" && /[eE]/.test(sql[i - 1] ?? '') && !isWordChar(sql[i - 2]));
      i = quoteEnd(sql, i, char, escaped && char !== '`');
      hasCode = true;
    } else if (char === '$' && dialect.dollarQuotes && !isWordChar(sql[i - 1])) {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 66))?.[0];
      if (tag) {
        const close = sql.indexOf(tag, i + tag.length);
        i = close < 0 ? sql.length : close + tag.length;
      } else {
        i++;
      }
      hasCode = true;
    } else if (char === ';') {
      end(i);
      i++;
    } else {
      if (!/\s/.test(char)) hasCode = true;
      i++;
    }
  }
  end(sql.length);
  return statements;
}

function isWordChar(char: string | undefined): boolean {
  return char !== undefined && /[A-Za-z0-9_$]/.test(char);
}

function lineEnd(sql: string, from: number): number {
  const newline = sql.indexOf('\n', from);
  return newline < 0 ? sql.length : newline + 1;
}

function blockCommentEnd(sql: string, from: number, nested: boolean): number {
  let depth = 0;
  let i = from;
  while (i < sql.length) {
    if (sql[i] === '/' && sql[i + 1] === '*' && (nested || depth === 0)) {
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
  return sql.length;
}

/** index after the closing quote; a doubled quote is an escaped one */
function quoteEnd(sql: string, from: number, quote: string, backslashEscapes: boolean): number {
  let i = from + 1;
  while (i < sql.length) {
    const char = sql[i];
    if (backslashEscapes && char === '\\') {
      i += 2;
    } else if (char === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else {
      i++;
    }
  }
  return sql.length;
}
