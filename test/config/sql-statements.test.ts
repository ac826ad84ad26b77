import { describe, expect, it } from 'vitest';
import { MYSQL_SQL, POSTGRES_SQL, splitStatements } from '../../config/sql-statements.js';

describe('splitStatements', () => {
  it.each([
    ['a trailing semicolon', 'SELECT 1;', 1],
    ['semicolons inside quotes', "SELECT ';' AS a, 'it''s;' AS b", 1],
    ['semicolons inside quoted identifiers', 'SELECT 1 AS "a;b"', 1],
    ['semicolons inside line comments', 'SELECT 1 -- first; second\n', 1],
    ['semicolons inside nested block comments', 'SELECT /* a /* b; */ c; */ 1', 1],
    ['dollar-quoted bodies', 'SELECT $body$ x; y $body$ AS t', 1],
    ['anonymous dollar quotes', 'SELECT $$;$$', 1],
    ['a parameter is no dollar quote', 'SELECT $1; SELECT 2', 2],
    ['an E string with an escaped quote', "SELECT E'\\';' AS a", 1],
    ['two statements', 'SELECT 1; SELECT 2', 2],
    ['empty statements', ';; SELECT 1 ;;', 1],
    ['comments only', '-- nothing\n/* at all */ ;', 0],
  ])('postgres: %s', (_, sql, count) => {
    // act
    const statements = splitStatements(sql, POSTGRES_SQL);

    // assess
    expect(statements).toHaveLength(count);
  });

  it('keeps a standard Postgres string ending in a backslash closed', () => {
    // act: in standard strings a backslash is a plain character
    const statements = splitStatements("SELECT 'a\\'; SELECT 2", POSTGRES_SQL);

    // assess
    expect(statements).toEqual(["SELECT 'a\\'", 'SELECT 2']);
  });

  it.each([
    ['backslash-escaped quotes', "SELECT 'a\\';' AS a", 1],
    ['backtick identifiers', 'SELECT 1 AS `a;b`', 1],
    ['hash comments', 'SELECT 1 # a; b\n', 1],
    ['two statements', 'SELECT 1; SELECT 2;', 2],
  ])('mysql: %s', (_, sql, count) => {
    // act
    const statements = splitStatements(sql, MYSQL_SQL);

    // assess
    expect(statements).toHaveLength(count);
  });
});
