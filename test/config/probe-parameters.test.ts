import { describe, expect, it } from 'vitest';
import {
  bindParameters,
  describeParameters,
  type ParameterMap,
  placeholdersOf,
  refusedParameters,
} from '../../core/probe-parameters.js';
import { MYSQL_SQL, POSTGRES_SQL } from '../../core/probe-sql.js';
import type { SqlSyntax } from '../../core/sql-tokens.js';

function namesIn(sql: string, syntax: SqlSyntax): string[] | string {
  const read = placeholdersOf(sql, syntax);
  return 'problem' in read ? read.problem : read.placeholders.map((placeholder) => placeholder.name);
}

describe('placeholdersOf', () => {
  it.each([
    ['postgres', 'SELECT count(*) AS n FROM t WHERE s = :status AND a > :min', ['status', 'min']],
    ['postgres', 'SELECT x::int AS n, :v::text AS t FROM t', ['v']],
    ['postgres', "SELECT ':a' AS s, \":b\" AS q, $$ :c $$ AS d, $t$:d$t$ AS e, E'\\' :e' AS f", []],
    ['postgres', 'SELECT 1 AS n /* :a /* :b */ */ -- :c\n, :d AS m', ['d']],
    ['postgres', 'SELECT a[lo : hi] AS n, a[1:2] AS m FROM t', []],
    ['mysql', 'SELECT \':a\' AS s, ":b" AS d, `:c` AS q, @v := 1 AS w, :d AS n # :e\n', ['d']],
    ['mysql', "SELECT 'it\\'s :a' AS s, :b AS n", ['b']],
  ] as const)('on %s finds in %j only the placeholders in code', (syntax, sql, expected) => {
    // act
    const found = namesIn(sql, syntax);

    // assess
    expect(found).toEqual(expected);
  });

  it.each([
    ['postgres', 'SELECT $1 AS n, :a AS m', "holds $1, the driver's own placeholder"],
    ['mysql', 'SELECT ? AS n, :a AS m', 'holds ?, which a prepared statement takes for a placeholder'],
    ['postgres', "SELECT '\\'' AS a, :x AS b, '\\'' AS c", 'depend on how the server reads backslashes'],
    ['mysql', "SELECT '\\'' AS a, :x AS b, '\\'' AS c", 'depend on how the server reads backslashes'],
    ['mysql', 'SELECT $a$ :x $a$ AS n', 'cannot be read with certainty'],
  ] as const)('on %s refuses %j', (syntax, sql, problem) => {
    // act
    const found = namesIn(sql, syntax);

    // assess
    expect(found).toContain(problem);
  });

  it("leaves a '?' in a MySQL string alone and a Postgres jsonb '?' operator too", () => {
    // act
    const mysql = namesIn("SELECT '?' AS q, :a AS n", 'mysql');
    const postgres = namesIn("SELECT doc ? 'key' AS has, :a AS n FROM t", 'postgres');

    // assess
    expect([mysql, postgres]).toEqual([['a'], ['a']]);
  });
});

describe('bindParameters', () => {
  it("puts the engine's marker where each placeholder stood and the values in their order", () => {
    // act
    const bound = bindParameters(
      "SELECT :a AS x, ':a' AS s, :b::int AS y, :a AS z",
      'postgres',
      { a: "it's; --", b: 5 },
      (n) => `$${n + 1}`,
    );

    // assess
    expect(bound).toEqual({
      sql: "SELECT $1 AS x, ':a' AS s, $2::int AS y, $3 AS z",
      values: ["it's; --", 5, "it's; --"],
    });
  });

  it('keeps a marker from joining the name before it', () => {
    // act
    const postgres = bindParameters('SELECT a[lo:hi] FROM t', 'postgres', { hi: 2 }, (n) => `$${n + 1}`);
    const mysql = bindParameters('SELECT x FROM t WHERE y=:v', 'mysql', { v: true }, () => '?');

    // assess
    expect(postgres.sql).toBe('SELECT a[lo $1] FROM t');
    expect(mysql).toEqual({ sql: 'SELECT x FROM t WHERE y=?', values: [true] });
  });

  it('throws rather than run with a placeholder unbound', () => {
    // act
    const bind = () => bindParameters('SELECT :a, :b', 'mysql', { a: 1 }, () => '?');

    // assess
    expect(bind).toThrow('no value for :b');
  });
});

describe('refusedParameters', () => {
  it('accepts maps giving every placeholder a value and nothing more', () => {
    // act
    const refusal = refusedParameters('SELECT :a AS n, :b AS m', POSTGRES_SQL, [
      { a: 1, b: 'x' },
      { b: 'y', a: 2 },
    ]);

    // assess
    expect(refusal).toBeUndefined();
  });

  it.each<[ParameterMap[], string]>([
    [[{ a: 1 }, { b: 2 }], 'parameters map 2 has no value for :a'],
    [[{ a: 1, c: 3 }], 'parameters map 1 gives c, which the sql does not use (no :c)'],
  ])('refuses %j', (maps, reason) => {
    // act
    const refusal = refusedParameters('SELECT :a AS n', MYSQL_SQL, maps);

    // assess
    expect(refusal).toBe(reason);
  });
});

describe('describeParameters', () => {
  it('quotes text and leaves numbers and booleans bare', () => {
    // act
    const text = describeParameters({ status: "it's", limit: 5, open: false });

    // assess
    expect(text).toBe(`status="it's", limit=5, open=false`);
  });
});
