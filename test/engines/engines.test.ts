/**
 * One suite, looped over every engine in the registry, against the real PostgreSQL and MariaDB
 * on this machine (directly, and behind the local RDS Data API endpoint) and an embedded PGlite.
 * A server that cannot be reached skips its engine loudly, except under CI=true, where it fails.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { engineRegistry } from '../../adapters/engines/engine-registry.js';
import type { ConnectionTarget, DatabaseEngine, DatabasePool } from '../../core/ports.js';
import { ProbeError } from '../../core/probe-error.js';
import { startDeadline } from '../../core/run/deadline-timer.js';
import { skipUnlessCi } from '../support/databases.js';
import {
  type EngineFixture,
  type FixtureResult,
  mysqlDataApiFixture,
  mysqlFixture,
  pgliteFixture,
  postgresDataApiFixture,
  postgresFixture,
} from './engine-fixtures.js';

const fixtures: Readonly<Record<string, () => Promise<FixtureResult>>> = {
  postgres: postgresFixture,
  mysql: mysqlFixture,
  'postgres-data-api': postgresDataApiFixture,
  'mysql-data-api': mysqlDataApiFixture,
  pglite: pgliteFixture,
};

const matrixSql = (table: string): string =>
  `SELECT i, b, n, f, ok, z, s, (SELECT COUNT(*) FROM ${table}) AS c FROM ${table} WHERE id = 1`;
const manyRowsSql =
  'WITH RECURSIVE series(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM series WHERE g < 50) SELECT g FROM series';
const options = { timeoutMs: 5000, maxRows: 100 };

async function failure(promise: Promise<unknown>): Promise<ProbeError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ProbeError) return error;
    throw new Error(`expected a ProbeError, got ${String(error)}`);
  }
  throw new Error('expected the query to fail');
}

/** a port on 127.0.0.1 where nothing listens: bound, then closed */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** polls until `read` gives `expected` or the attempts run out; returns the last value */
async function settle<T>(read: () => Promise<T>, expected: T, attempts = 100): Promise<T> {
  let value = await read();
  for (let i = 0; i < attempts && value !== expected; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await read();
  }
  return value;
}

it('registers postgres, mysql, their Data API engines and pglite with their default ports and URL schemes', async () => {
  // assess
  expect(Object.keys(engineRegistry).sort()).toEqual([
    'mysql',
    'mysql-data-api',
    'pglite',
    'postgres',
    'postgres-data-api',
  ]);
  expect(engineRegistry['postgres-data-api']?.capabilities.dataApiFor).toBe('postgres');
  expect(engineRegistry['mysql-data-api']?.capabilities.dataApiFor).toBe('mysql');
  expect(engineRegistry.postgres?.defaultPort).toBe(5432);
  expect(engineRegistry.postgres?.urlSchemes).toContain('postgres');
  expect(engineRegistry.mysql?.defaultPort).toBe(3306);
  expect(engineRegistry.mysql?.urlSchemes).toContain('mysql');
  expect(engineRegistry.pglite?.defaultPort).toBe(0);
  for (const [name, entry] of Object.entries(engineRegistry)) {
    expect((await entry.load()).name).toBe(name);
  }
});

it("lists in schema.json's engine enum exactly the registry's engines that can be deployed", () => {
  // arrange
  const schema = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../schema.json'), 'utf8')) as {
    $defs: Record<string, { properties?: Record<string, { enum?: string[] }> }>;
  };
  const enums = Object.values(schema.$defs).flatMap(
    (definition) => definition.properties?.engine?.enum ?? [],
  );

  // act
  // an embedded engine stands in for a deployable one, a Data API engine serves one's dataApi: databases
  const deployable = Object.entries(engineRegistry)
    .filter(([, entry]) => !entry.capabilities.embedded && entry.capabilities.dataApiFor === undefined)
    .map(([name]) => name);

  // assess
  expect([...enums].sort()).toEqual([...deployable].sort());
});

for (const [name, entry] of Object.entries(engineRegistry)) {
  const makeFixture = fixtures[name];
  if (!makeFixture) throw new Error(`engine '${name}' has no fixture in the engine suite`);
  const result = await makeFixture();
  if ('unavailable' in result) {
    skipUnlessCi(`the ${name} engine suite`, result.unavailable);
    describe.skip(`${name} engine (unavailable)`, () => {
      it('needs its database', () => undefined);
    });
    continue;
  }
  const fixture: EngineFixture = result.fixture;
  const engine: DatabaseEngine = await entry.load();
  const embedded = fixture.engine === 'pglite';
  // no connection of Chasm's own: no TLS to choose, no login per connection
  const dataApi = fixture.dataApi !== undefined;
  const pools: DatabasePool[] = [];
  const open = (target: ConnectionTarget = fixture.target(2)): DatabasePool => {
    const pool = engine.openPool(target);
    pools.push(pool);
    return pool;
  };
  const shared = open();

  describe(`${name} engine`, () => {
    afterAll(async () => {
      await Promise.allSettled(pools.map((pool) => pool.close()));
      await fixture.close();
    });

    it('returns integer, bigint, decimal, float, boolean, NULL and text values as the driver gives them', async () => {
      // act
      const rows = await shared.query(matrixSql(fixture.table), options);

      // assess
      expect(rows).toHaveLength(1);
      const row = rows[0] ?? {};
      expect({ ...row }).toEqual(fixture.expectedMatrix);
      for (const [column, value] of Object.entries(fixture.expectedMatrix)) {
        expect(typeof row[column], `type of column ${column}`).toBe(typeof value);
      }
    });

    it('binds parameters as values, so quotes, semicolons and comment marks in them stay data', async () => {
      // arrange: spliced into the text, the first would end the statement, the second match every row
      const sql = `SELECT :text AS echoed, ':region' AS literal, COUNT(*) AS c FROM ${fixture.table} WHERE s = :region`;
      const pool = open(fixture.target(1));

      // act
      const matching = await pool.query(sql, {
        ...options,
        parameters: { text: "it's; DROP TABLE x; --", region: 'eu' },
      });
      const injected = await pool.query(sql, {
        ...options,
        parameters: { text: '--', region: "eu' OR '1'='1" },
      });

      // assess
      expect(matching.map((row) => ({ ...row, c: Number(row.c) }))).toEqual([
        { echoed: "it's; DROP TABLE x; --", literal: ':region', c: 1 },
      ]);
      expect(injected.map((row) => ({ ...row, c: Number(row.c) }))).toEqual([
        { echoed: '--', literal: ':region', c: 0 },
      ]);
    });

    it.runIf(fixture.engine === 'mysql')(
      'binds parameters on the server, in a prepared statement, not by formatting them into the text',
      async () => {
        // arrange: the server counts the prepared statements it executes
        const executed = async () =>
          Number(
            (await fixture.login?.admin.query("SHOW GLOBAL STATUS LIKE 'Com_stmt_execute'"))?.[0]?.Value,
          );
        const before = await executed();

        // act
        const rows = await shared.query('SELECT :a AS a', { ...options, parameters: { a: "x'y" } });

        // assess
        expect(rows).toEqual([{ a: "x'y" }]);
        expect(await executed()).toBeGreaterThan(before);
      },
    );

    it('binds other values to the same statement on the next probe of a reused connection', async () => {
      // arrange
      const pool = open(fixture.target(1));
      const sql = `SELECT id FROM ${fixture.table} WHERE s = :region OR i = :i ORDER BY id`;

      // act
      const first = await pool.query(sql, { ...options, parameters: { region: 'us', i: 0 } });
      const second = await pool.query(sql, { ...options, parameters: { region: 'eu', i: -5 } });

      // assess
      expect([first.map((row) => Number(row.id)), second.map((row) => Number(row.id))]).toEqual([
        [2, 3],
        [1],
      ]);
    });

    it('returns at most maxRows + 1 rows', async () => {
      // act
      const rows = await shared.query(manyRowsSql, { timeoutMs: 5000, maxRows: 10 });

      // assess
      expect(rows).toHaveLength(11);
    });

    it.skipIf(embedded)(
      'gives TIMEOUT when the server cancels a statement beyond its timeout; a sibling query then succeeds',
      async () => {
        // act
        const error = await failure(shared.query(fixture.sleepSql(2), { timeoutMs: 300, maxRows: 10 }));
        const sibling = await shared.query('SELECT 1 AS one', options);

        // assess
        expect(error.code).toBe('TIMEOUT');
        expect(sibling).toHaveLength(1);
        expect(Number(sibling[0]?.one)).toBe(1);
      },
    );

    it.skipIf(embedded)(
      'stops waiting with TIMEOUT when the deadline expires mid-query, and the pool stays usable',
      async () => {
        // arrange
        const pool = open(fixture.target(1));
        const deadline = startDeadline(200);

        // act
        const running = pool.query(fixture.sleepSql(1), { timeoutMs: 10_000, maxRows: 10, deadline });
        const error = await failure(running);
        const later = startDeadline(10_000);
        const after = await pool.query('SELECT 2 AS two', { ...options, deadline: later });
        later.cancel();

        // assess
        expect(error.code).toBe('TIMEOUT');
        expect(Number(after[0]?.two)).toBe(2);
      },
    );

    it('gives TIMEOUT at once for an expired deadline and runs nothing', async () => {
      // arrange
      const expired = startDeadline(10_000);
      expired.expire();

      // act
      const error = await failure(shared.query('SELECT 1 AS one', { ...options, deadline: expired }));
      const after = await shared.query('SELECT 1 AS one', options);

      // assess
      expect(error.code).toBe('TIMEOUT');
      expect(after).toHaveLength(1);
    });

    it(`gives CONNECTION_FAILED when the database cannot be reached${embedded ? ' (seed file missing)' : dataApi ? ' (unknown cluster)' : ''}`, async () => {
      // arrange
      const target = fixture.unreachableTarget(await closedPort());

      // act
      const error = await failure(open(target).query('SELECT 1 AS one', { timeoutMs: 300, maxRows: 10 }));

      // assess
      expect(error.code).toBe('CONNECTION_FAILED');
      expect(error.message).not.toBe('');
    });

    it.skipIf(embedded)('gives CONNECTION_FAILED for a user the server does not know', async () => {
      // act
      const error = await failure(open(fixture.badCredentialsTarget()).query('SELECT 1 AS one', options));

      // assess
      expect(error.code).toBe('CONNECTION_FAILED');
      expect(error.message).toMatch(/nobody_/);
    });

    it.skipIf(embedded)(
      'gives CONNECTION_FAILED, without trying again at once, for a wrong password',
      async () => {
        // arrange
        const pool = open(fixture.wrongPasswordTarget?.() ?? fixture.target(1));

        // act
        const first = await failure(pool.query('SELECT 1 AS one', options));
        const second = await failure(pool.query('SELECT 1 AS one', options));

        // assess
        expect(first.code).toBe('CONNECTION_FAILED');
        expect(first.message).toMatch(/password|Access denied/i);
        expect(second.code).toBe('CONNECTION_FAILED');
        expect(second.message).toMatch(/not connecting again for \d+ s after 1 failed attempt/);
      },
    );

    it.skipIf(embedded || dataApi)(
      'refuses to connect without TLS when TLS is required (no plaintext fallback)',
      async () => {
        // arrange: the local server offers no TLS (or a certificate nobody trusts)
        const target: ConnectionTarget = { ...fixture.target(1), tls: 'verify-full' } as ConnectionTarget;

        // act
        const error = await failure(open(target).query('SELECT 1 AS one', options));

        // assess
        expect(error.code).toBe('CONNECTION_FAILED');
      },
    );

    const writes = [
      `INSERT INTO ${fixture.table} (id, i) VALUES (99, 1)`,
      `UPDATE ${fixture.table} SET i = i + 1`,
      `DELETE FROM ${fixture.table}`,
      ...(name === 'mysql' || name === 'mysql-data-api'
        ? [`DROP TABLE ${fixture.table}`, `TRUNCATE TABLE ${fixture.table}`]
        : [
            `WITH d AS (DELETE FROM ${fixture.table} RETURNING 1) SELECT count(*) FROM d`,
            `DROP TABLE ${fixture.table}`,
          ]),
    ];
    it.each(writes)('refuses a write with QUERY_FAILED and leaves the table unchanged: %s', async (sql) => {
      // act
      const error = await failure(shared.query(sql, options));
      const rows = await shared.query(`SELECT id, i FROM ${fixture.table} ORDER BY id`, options);

      // assess
      expect(error.code).toBe('QUERY_FAILED');
      expect(rows.map((row) => [Number(row.id), Number(row.i)])).toEqual([
        [1, 42],
        [2, 7],
        [3, 0],
      ]);
    });

    it.skipIf(embedded)('refuses two statements in one probe', async () => {
      // act
      const error = await failure(shared.query(`SELECT 1; DELETE FROM ${fixture.table}`, options));
      const rows = await shared.query(`SELECT COUNT(*) AS c FROM ${fixture.table}`, options);

      // assess
      expect(error.code).toBe('QUERY_FAILED');
      expect(Number(rows[0]?.c)).toBe(3);
    });

    it('runs the SQL as written: a question mark is not a placeholder', async () => {
      // act
      const rows = await shared.query("SELECT '?' AS q", options);

      // assess
      expect(rows[0]?.q).toBe('?');
    });

    it.skipIf(embedded || dataApi)(
      'logs in with the password the target gives for each new connection',
      async () => {
        // arrange
        const base = fixture.target(1);
        let calls = 0;
        const target = {
          ...base,
          login: async () => {
            calls += 1;
            return base.kind === 'server' ? base.login() : { user: '', password: '' };
          },
        } as ConnectionTarget;

        // act
        const rows = await open(target).query('SELECT 1 AS one', options);

        // assess
        expect(rows).toHaveLength(1);
        expect(calls).toBe(1);
      },
    );

    it('gives QUERY_FAILED, with the cause, for invalid SQL', async () => {
      // act
      const error = await failure(shared.query('SELECT no_such_column FROM no_such_table', options));

      // assess
      expect(error.code).toBe('QUERY_FAILED');
      expect(error.message).toMatch(/no_such/);
    });

    it('runs six concurrent slow queries on two connections at most, all successfully', async () => {
      // arrange: only this pool's connections count (embedded: one instance, queries serialised)
      if (!embedded) for (const pool of pools) await pool.close();
      const baseline = embedded ? 0 : await settle(fixture.connections, 0);
      const pool = embedded ? shared : open(fixture.target(2));
      let peak = 0;
      let running = true;
      const watch = (async () => {
        while (running) {
          peak = Math.max(peak, (await fixture.connections()) ?? 0);
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
      })();

      // act
      const results = await Promise.all(
        Array.from({ length: 6 }, () => pool.query(fixture.sleepSql(0.3), options)),
      ).finally(() => {
        running = false;
      });
      await watch;

      // assess
      expect(results).toHaveLength(6);
      if (!embedded) {
        expect(baseline).toBe(0);
        expect(peak).toBeGreaterThanOrEqual(1);
        expect(peak).toBeLessThanOrEqual(2);
      }
    });

    it.skipIf(embedded)('returns to the baseline of connections after close()', async () => {
      // arrange
      for (const pool of pools) await pool.close();
      const baseline = await settle(fixture.connections, 0);
      const pool = open(fixture.target(2));
      await Promise.all([
        pool.query(fixture.sleepSql(0.1), options),
        pool.query(fixture.sleepSql(0.1), options),
      ]);
      const during = await fixture.connections();

      // act
      await pool.close();

      // assess
      expect(baseline).toBe(0);
      expect(during).toBe(2);
      expect(await settle(fixture.connections, 0)).toBe(0);
    });

    it('refuses queries after close()', async () => {
      // arrange
      const pool = open();
      await pool.close();

      // act
      const error = await failure(pool.query('SELECT 1 AS one', options));

      // assess
      expect(error.code).toBe('QUERY_FAILED');
    });
  });
}
