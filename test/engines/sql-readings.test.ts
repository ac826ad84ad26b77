/**
 * The tokenizer against the real servers: each query names its result columns with `AS`, and what
 * the server returns shows which of them it read as code. A reading that disagrees with its server
 * would let a keyword hide in what the probe rule takes for a comment or a string.
 */
import { describe, expect, it } from 'vitest';
import { SQL_READINGS, type SqlReading, type SqlSyntax, tokenize } from '../../core/sql-tokens.js';
import { mariadb, postgres, serverAvailable } from '../support/databases.js';

/** the names after each `AS` the tokenizer reads as code */
function aliases(sql: string, syntax: SqlSyntax, reading: SqlReading): string[] {
  const read = tokenize(sql, syntax, reading);
  if (!('tokens' in read)) throw new Error(`unreadable: ${JSON.stringify(read)}`);
  const { tokens } = read;
  return tokens.flatMap((token, i) => {
    const next = tokens[i + 1];
    if (token.kind !== 'word' || sql.slice(token.start, token.end).toUpperCase() !== 'AS' || !next) return [];
    const name = sql.slice(next.start, next.end);
    const quote = name[0] ?? '';
    return [next.kind === 'word' ? name : name.slice(1, -1).replaceAll(quote + quote, quote)];
  });
}

describe('Postgres reads SQL as the postgres syntax says', () => {
  it.each([
    ['a -- comment ends at \\r', 'SELECT 1 AS a -- x\r, 2 AS b'],
    ['block comments nest', 'SELECT 1 AS a /* x /* y */ , 3 AS c */ , 2 AS b'],
    ['dollar quotes hide quotes', "SELECT $q$ ' $q$ AS a, ' x' AS b"],
    ['tagged dollar quotes hide other tags', 'SELECT 1 AS a, $a$ $b$ $a$ AS b'],
    ['E strings escape with a backslash', "SELECT E'\\' AS a, ' AS b"],
    ['an escaped backslash closes an E string', "SELECT e'\\\\' AS a, ' AS b' AS c"],
    ['standard strings do not', "SELECT 'a\\' AS a, 'b' AS b"],
    ['U& strings do not', "SELECT U&'\\0041' AS a, 'b' AS b"],
  ])('with standard_conforming_strings on: %s', async (_, sql) => {
    // arrange
    if (!(await serverAvailable('postgres'))) return;
    const [reading] = SQL_READINGS.postgres;

    // act
    const columns = await postgres(async (client) => (await client.query(sql)).fields.map((f) => f.name));

    // assess
    expect(aliases(sql, 'postgres', reading!)).toEqual(columns);
  });

  it('with standard_conforming_strings off: standard strings escape with a backslash', async () => {
    // arrange
    if (!(await serverAvailable('postgres'))) return;
    const sql = "SELECT 'a\\' AS a, ' AS b";
    const reading = SQL_READINGS.postgres.find((r) => r.singleQuoteBackslash);

    // act
    const columns = await postgres(async (client) => {
      await client.query('SET standard_conforming_strings = off');
      await client.query('SET escape_string_warning = off');
      return (await client.query(sql)).fields.map((f) => f.name);
    });

    // assess
    expect(aliases(sql, 'postgres', reading!)).toEqual(columns);
  });
});

describe('MariaDB reads SQL as the mysql syntax says', () => {
  const readings = {
    default: SQL_READINGS.mysql.find((r) => r.singleQuoteBackslash && r.doubleQuoteBackslash),
    NO_BACKSLASH_ESCAPES: SQL_READINGS.mysql.find((r) => !r.singleQuoteBackslash && !r.doubleQuoteBackslash),
    ANSI_QUOTES: SQL_READINGS.mysql.find((r) => r.singleQuoteBackslash && !r.doubleQuoteBackslash),
  } as const;

  it.each([
    ['default', 'a -- comment runs past \\r', 'SELECT 1 AS a -- x\r, 2 AS b'],
    ['default', 'a # comment runs past \\r', 'SELECT 1 AS a # x\r, 2 AS b'],
    ['default', '--1 is minus minus one', 'SELECT 1 --1 AS a, 2 AS b'],
    ['default', 'block comments do not nest', 'SELECT 1 AS a /* x /* y */ , 2 AS b'],
    ['default', 'an executable comment is code', 'SELECT 1 AS a /*!, 2 AS b */'],
    ['default', 'a MariaDB executable comment is code', 'SELECT 1 AS a /*M!100000 , 2 AS b */'],
    ['default', 'an optimizer hint is a comment', 'SELECT /*+ NO_ICP(t) */ 1 AS a'],
    ['default', 'a keyword may follow a number directly', 'SELECT 1e1AS a, 1.5AS b'],
    ['default', "'…' strings escape with a backslash", "SELECT 'a\\' AS b, ' AS a"],
    ['default', '"…" strings escape with a backslash', 'SELECT "a\\" AS b, " AS a'],
    ['default', 'backticks double', 'SELECT 1 AS `a``b`, 2 AS c'],
    ['NO_BACKSLASH_ESCAPES', "'…' strings do not escape", "SELECT 'a\\' AS a, 'b' AS b"],
    ['NO_BACKSLASH_ESCAPES', '"…" strings do not escape', 'SELECT "a\\" AS a, "b" AS b'],
    ['ANSI_QUOTES', '"…" is an identifier', "SELECT 1 AS \"x\\\", 'a\\' AS b, ' AS a"],
  ] as const)('with sql_mode %s: %s', async (mode, _, sql) => {
    // arrange
    if (!(await serverAvailable('mysql'))) return;

    // act
    const columns = await mariadb(async (connection) => {
      if (mode !== 'default') await connection.query(`SET SESSION sql_mode = '${mode}'`);
      const [, fields] = await connection.query(sql);
      return fields.map((f) => f.name);
    });

    // assess
    expect(aliases(sql, 'mysql', readings[mode]!)).toEqual(columns);
  });
});
