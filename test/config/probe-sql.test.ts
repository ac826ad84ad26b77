import { describe, expect, it } from 'vitest';
import { MYSQL_SQL, POSTGRES_SQL, refusedProbeSql, splitStatements } from '../../core/probe-sql.js';

describe('refusedProbeSql on Postgres', () => {
  it.each([
    ['a SELECT', 'SELECT count(*) AS n FROM sessions WHERE expires_at > now()'],
    ['a lower-case select with a trailing semicolon', 'select 1;'],
    ['WITH … SELECT', 'WITH recent AS (SELECT * FROM t) SELECT count(*) FROM recent'],
    ['VALUES', 'VALUES (1), (2)'],
    ['TABLE', 'TABLE t'],
    ['a parenthesised query', '(SELECT 1) UNION (SELECT 2)'],
    ['doubly parenthesised', '((SELECT 1))'],
    ['SUBSTRING(… FOR …)', 'SELECT substring(name FROM 1 FOR 2) FROM t'],
    ['quoted identifiers named like keywords', 'SELECT "delete", "update", "into", "lock" FROM t'],
    ['keywords inside longer words', 'SELECT updated_at, deleted, "into_x" FROM t_lock'],
    ['keywords in a string', "SELECT 'DELETE FROM t' AS s"],
    ['keywords in a line comment', 'SELECT 1 -- DELETE FROM t\n'],
    ['keywords in a nested block comment', 'SELECT /* a /* DELETE */ INTO */ 1'],
    ['keywords in dollar quotes', 'SELECT $$DELETE$$ AS a, $body$ INTO ; $body$ AS b'],
    ['parameters, which are no dollar quotes', 'SELECT $1 AS a, $2 AS b'],
    ['an E string with an escaped quote', "SELECT E'it\\'s; DELETE' AS s"],
    ['a U& string', "SELECT U&'d\\0061t' AS s"],
    ['a standard string ending in a backslash', "SELECT 'C:\\' AS path"],
    ['lock functions', 'SELECT pg_advisory_lock(1), pg_try_advisory_lock(2), replace(a, b, c) FROM t'],
    ['a MySQL-style comment that Postgres reads as a comment', 'SELECT 1 --x INTO @y'],
  ])('accepts %s', (_, sql) => {
    // act
    const refusal = refusedProbeSql(sql, POSTGRES_SQL);

    // assess
    expect(refusal).toBeUndefined();
  });

  it.each([
    ['DELETE … RETURNING', 'DELETE FROM t RETURNING 1', 'not DELETE'],
    ['INSERT', 'INSERT INTO t VALUES (1)', 'not INSERT'],
    ['a data-modifying CTE', 'WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d', 'holds DELETE'],
    ['WITH … INSERT', 'WITH d AS (SELECT 1) INSERT INTO t SELECT * FROM d', 'holds INSERT'],
    ['WITH … UPDATE', 'WITH d AS (SELECT 1) UPDATE t SET a = 1', 'holds UPDATE'],
    ['MERGE in a CTE', 'WITH m AS (MERGE INTO t USING s ON true DO NOTHING) SELECT 1', 'holds MERGE'],
    ['SELECT … INTO a table', 'SELECT * INTO copy FROM t', 'holds INTO'],
    ['FOR UPDATE', 'SELECT * FROM t FOR UPDATE', 'holds FOR UPDATE'],
    ['FOR SHARE', 'SELECT * FROM t FOR SHARE', 'holds FOR SHARE'],
    ['FOR NO KEY UPDATE', 'SELECT * FROM t FOR NO KEY UPDATE NOWAIT', 'holds FOR NO KEY UPDATE'],
    ['FOR KEY SHARE', 'SELECT * FROM t FOR KEY SHARE', 'holds FOR KEY SHARE'],
    ['FOR UPDATE around a comment', 'SELECT * FROM t FOR /* x */ UPDATE', 'holds FOR UPDATE'],
    ['LOCK', 'LOCK TABLE t', 'not LOCK'],
    ['SET', 'SET default_transaction_read_only = off', 'not SET'],
    ['COPY', 'COPY (SELECT 1) TO PROGRAM $$x$$', 'not COPY'],
    ['CALL', 'CALL p()', 'not CALL'],
    ['DO', 'DO $$ BEGIN PERFORM 1; END $$', 'not DO'],
    ['EXPLAIN ANALYZE', 'EXPLAIN ANALYZE SELECT 1', 'not EXPLAIN'],
    ['SHOW', 'SHOW work_mem', 'not SHOW'],
    ['TRUNCATE', 'TRUNCATE t', 'not TRUNCATE'],
    ['DDL', 'CREATE TABLE x (a int)', 'not CREATE'],
    ['GRANT', 'GRANT ALL ON t TO PUBLIC', 'not GRANT'],
    ['a statement behind parentheses', '(DELETE FROM t)', 'not DELETE'],
    ['a string where a statement belongs', "'SELECT 1'", "not 'SELECT 1'"],
    ['an unquoted name spelt like a keyword', 'SELECT Delete FROM t', 'quote it: "delete"'],
    ['a MySQL-quoted name', 'SELECT `delete` FROM t', 'holds DELETE'],
    ['a keyword after a -- comment ended by \\r', 'SELECT 1 -- note\rDELETE FROM t', 'holds DELETE'],
    ['a keyword after a -- comment ended by \\r\\n', 'SELECT 1 -- note\r\nINTO x', 'holds INTO'],
    ['a keyword after an E string closed by an escaped backslash', "SELECT E'\\\\' INTO x --'", 'holds INTO'],
    [
      'a second statement in backslash-escaping strings (standard_conforming_strings off)',
      "SELECT 'a\\' , ' FROM t; DELETE FROM t; --'",
      'holds 2 statements',
    ],
    ['a keyword after a standard string ending in a backslash', "SELECT 'a\\' INTO x --'", 'holds INTO'],
    ['two statements', 'SELECT 1; SELECT 2', "holds 2 statements (the second begins 'SELECT 2')"],
    ['a parameter then a second statement', 'SELECT $1; DELETE FROM t', 'holds 2 statements'],
    ['comments only', '-- nothing\n/* at all */ ;', 'holds no statement'],
    ['blank sql', '  \n ', 'the sql is empty'],
    ['an unterminated comment', 'SELECT 1 /* a /* b */', 'a comment never ends'],
    ['an unterminated dollar quote', 'SELECT $a$ x $b$', 'a dollar-quoted string never ends'],
    ['an unterminated quoted identifier', 'SELECT "a', 'a quoted identifier never ends'],
    ['a NUL character', 'SELECT 1 -- x\u0000', 'NUL'],
  ])('refuses %s', (_, sql, reason) => {
    // act
    const refusal = refusedProbeSql(sql, POSTGRES_SQL);

    // assess
    expect(refusal).toContain(reason);
  });

  it('names the allow-list and what it found', () => {
    // act
    const refusal = refusedProbeSql('DELETE FROM t RETURNING 1', POSTGRES_SQL);

    // assess
    expect(refusal).toBe(
      'a probe runs one query statement (SELECT, WITH … SELECT, VALUES, TABLE), not DELETE',
    );
  });
});

describe('refusedProbeSql on MySQL and MariaDB', () => {
  it.each([
    ['a SELECT', 'SELECT count(*) AS n FROM information_schema.PROCESSLIST'],
    ['SHOW STATUS', 'SHOW STATUS'],
    ['SHOW GLOBAL STATUS LIKE', "SHOW GLOBAL STATUS LIKE 'Threads%'"],
    ['WITH … SELECT', 'WITH x AS (SELECT 1 AS a) SELECT a FROM x'],
    ['VALUES', 'VALUES (1), (2)'],
    ['TABLE', 'TABLE t'],
    ['a parenthesised query', '(SELECT 1) UNION (SELECT 2)'],
    ['backtick identifiers named like keywords', 'SELECT `delete`, `update`, `a``b` FROM `into`'],
    ['keywords in hash comments', 'SELECT 1 # DELETE FROM t\n'],
    ['keywords in -- comments', 'SELECT 1 -- INTO @x\n'],
    ['--x, which is minus minus x', 'SELECT 1 --1'],
    ['an optimizer hint', 'SELECT /*+ NO_ICP(t) */ * FROM t'],
    ['backslash escapes and doubled quotes', "SELECT 'it\\'s', 'it''s', \"a\\\"b\""],
    ['an executable comment holding a query', 'SELECT 1 /*!50700 + 1 */ AS n'],
    [
      'lock and numeric functions',
      "SELECT GET_LOCK('x', 1), RELEASE_LOCK('x'), TRUNCATE(1.5, 0), REPLACE(a, b, c)",
    ],
    ['a -- comment running past \\r, as the server reads it', 'SELECT 1 -- x\r DELETE FROM t'],
  ])('accepts %s', (_, sql) => {
    // act
    const refusal = refusedProbeSql(sql, MYSQL_SQL);

    // assess
    expect(refusal).toBeUndefined();
  });

  it.each([
    ['SET STATEMENT … FOR', 'SET STATEMENT tx_read_only=0 FOR TRUNCATE TABLE t', 'not SET'],
    ['FLUSH', 'FLUSH TABLES WITH READ LOCK', 'not FLUSH'],
    ['LOCK TABLES', 'LOCK TABLES t READ', 'not LOCK'],
    ['UNLOCK TABLES', 'UNLOCK TABLES', 'not UNLOCK'],
    ['HANDLER', 'HANDLER t OPEN', 'not HANDLER'],
    ['KILL', 'KILL 1', 'not KILL'],
    ['DO', 'DO SLEEP(1)', 'not DO'],
    ['CALL', 'CALL p()', 'not CALL'],
    ['REPLACE INTO', 'REPLACE INTO t VALUES (1)', 'not REPLACE'],
    ['EXPLAIN ANALYZE', 'EXPLAIN ANALYZE SELECT 1', 'not EXPLAIN'],
    ['SELECT … INTO OUTFILE', "SELECT * FROM t INTO OUTFILE '/tmp/t'", 'holds INTO'],
    ['SELECT … INTO DUMPFILE', "SELECT 1 INTO DUMPFILE '/tmp/t'", 'holds INTO'],
    ['SELECT … INTO variables', 'SELECT 1 INTO @x', 'holds INTO'],
    ['LOCK IN SHARE MODE', 'SELECT * FROM t LOCK IN SHARE MODE', 'holds LOCK'],
    ['FOR UPDATE', 'SELECT * FROM t FOR UPDATE', 'holds FOR UPDATE'],
    ['FOR SHARE', 'SELECT * FROM t FOR SHARE', 'holds FOR SHARE'],
    ['WITH … DELETE', 'WITH d AS (SELECT 1) DELETE FROM t', 'holds DELETE'],
    ['code in an executable comment', 'SELECT 1 /*! INTO @x */', 'holds INTO'],
    ['code in a versioned executable comment', 'SELECT * FROM t /*!50700 FOR UPDATE */', 'holds FOR UPDATE'],
    ['code in a MariaDB executable comment', 'SELECT 1 /*M!100101 INTO @x */', 'holds INTO'],
    ['a quote running past an executable comment', "SELECT 1 /*!50000 , '*/' */", 'cannot be read'],
    ['a comment inside an executable comment', 'SELECT 1 /*! /* x */ INTO @x */', 'cannot be read'],
    ['a dollar quote', "SELECT $a$ ' $a$ INTO @x -- '", 'cannot be read'],
    ['an optimizer hint with quotes', "SELECT /*+ QB_NAME(`a*/ ' `) */ INTO @x -- ' */", 'cannot be read'],
    ['a keyword after a non-nested comment', 'SELECT 1 /* a /* b */ DELETE */', 'holds DELETE'],
    ['a keyword right after a number with an exponent', 'SELECT 1e1into @x', 'holds INTO'],
    ['a keyword right after a decimal', 'SELECT 1.5into @x', 'holds INTO'],
    ['a keyword after --x, which is no comment', 'SELECT 1 --x INTO @y', 'holds INTO'],
    ['a keyword after a # comment ended by \\n', 'SELECT 1 # x\nINTO @y', 'holds INTO'],
    ['an unquoted name spelt like a keyword', 'SELECT delete FROM t', 'quote it: `delete`'],
    ['a keyword after a string under NO_BACKSLASH_ESCAPES', "SELECT 'a\\' INTO @x -- '", 'holds INTO'],
    ['a keyword after a double-quoted string under ANSI_QUOTES', 'SELECT "a\\" INTO @x -- "', 'holds INTO'],
    ['a keyword after a string closed by an escaped quote', "SELECT 'a\\'' INTO @x -- '", 'holds INTO'],
    ['two statements', 'SELECT 1; SELECT 2;', 'holds 2 statements'],
    ['an unterminated backtick identifier', 'SELECT `a', 'a quoted identifier never ends'],
  ])('refuses %s', (_, sql, reason) => {
    // act
    const refusal = refusedProbeSql(sql, MYSQL_SQL);

    // assess
    expect(refusal).toContain(reason);
  });
});

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
