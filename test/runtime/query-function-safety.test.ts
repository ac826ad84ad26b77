/**
 * The attacks a deployed manifest could carry (a manifest is data: it may not have been through
 * `chasm validate`), run through a query function against the real servers with a login that
 * *could* write: the function's own statement allow-list refuses them before they reach the
 * server, and a DBA finds every table, row and lock as it was.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEnginePool } from '../../adapters/database-pools.js';
import { sqlDialectOf } from '../../adapters/engines/engine-registry.js';
import type { QueryManifest } from '../../core/manifest.js';
import { createQueryFunction } from '../../core/run/query-function.js';
import { InvalidQueryRequestError } from '../../core/run/query-request.js';
import { database, metric, probe } from '../support/config-factory.js';
import {
  createPasswordLogin,
  type PasswordLogin,
  type Server,
  serverAvailable,
  uniqueName,
} from '../support/databases.js';

interface Attacks {
  readonly engine: 'postgres' | 'mysql';
  /** statements that would write, lock or act on the server, by what a DBA would see */
  readonly writes: (table: string) => readonly string[];
  readonly locks: (table: string) => readonly string[];
  /** grants everything on the table (and, for MariaDB, RELOAD for FLUSH) to `user` */
  grantAll(login: PasswordLogin, table: string): Promise<void>;
}

const attacks: Readonly<Record<Server, Attacks>> = {
  postgres: {
    engine: 'postgres',
    writes: (table) => [
      `DELETE FROM ${table} RETURNING 1 AS n`,
      `WITH d AS (DELETE FROM ${table} RETURNING 1) SELECT count(*) AS n FROM d`,
      `SELECT 1 AS n INTO chasm_stolen FROM ${table}`,
      `TRUNCATE ${table}`,
      `COPY (SELECT 1) TO PROGRAM 'true'`,
      `SET statement_timeout = 0`,
    ],
    locks: (table) => [
      `SELECT 1 AS n FROM ${table} FOR UPDATE`,
      `LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`,
    ],
    async grantAll(login, table) {
      await login.admin.query(`GRANT ALL ON ${table} TO ${login.user}`);
    },
  },
  mysql: {
    engine: 'mysql',
    writes: (table) => [
      `SET STATEMENT tx_read_only=0 FOR TRUNCATE TABLE ${table}`,
      `SET STATEMENT tx_read_only=0 FOR DROP TABLE ${table}`,
      `CREATE TABLE ${table}_copy AS SELECT * FROM ${table}`,
      `SELECT 1 AS n FROM ${table} INTO OUTFILE '/tmp/${table}.out'`,
      `SET STATEMENT max_statement_time=0 FOR SELECT BENCHMARK(20000000, MD5('x')) AS n`,
      'SET GLOBAL max_connections = 1',
      'KILL CONNECTION_ID()',
    ],
    locks: (table) => [
      'FLUSH TABLES WITH READ LOCK',
      `LOCK TABLES ${table} READ`,
      `SELECT 1 AS n FROM ${table} LOCK IN SHARE MODE`,
    ],
    async grantAll(login, table) {
      await login.admin.query(`GRANT ALL ON ${table} TO '${login.user}'@'%'`);
      await login.admin.query(`GRANT RELOAD ON *.* TO '${login.user}'@'%'`);
    },
  },
};

for (const server of ['postgres', 'mysql'] as const) {
  const spec = attacks[server];
  const available = await serverAvailable(server);

  describe.skipIf(!available)(`a query function on ${server}, given a manifest that attacks`, () => {
    let login: PasswordLogin;
    const table = uniqueName('chasm_attacked');

    beforeAll(async () => {
      login = await createPasswordLogin(server);
      await login.admin.query(`CREATE TABLE ${table} (n int)`);
      await login.admin.query(`INSERT INTO ${table} VALUES (1), (2), (3)`);
      await spec.grantAll(login, table);
    });
    afterAll(async () => {
      await login.admin.query(`DROP TABLE IF EXISTS ${table}`);
      await login.admin.query(`DROP TABLE IF EXISTS ${table}_copy`);
      await login.drop();
    });

    const functionFor = (sqls: readonly string[]) => {
      const probes = sqls.map((sql, index) =>
        probe({ name: `p${index}`, sql, metrics: [metric({ name: 'N' })] }),
      );
      const manifest: QueryManifest = {
        namespace: 'Acme/Attacks',
        publish: 'fanout',
        health: 'summary',
        databases: { db: database({ name: 'db', engine: spec.engine, maxConnections: 1 }) },
        probes: Object.fromEntries(probes.map((p) => [p.name, p])),
      };
      return {
        names: probes.map((p) => p.name),
        run: createQueryFunction(manifest, {
          sqlDialect: sqlDialectOf,
          openPool: () => openEnginePool(spec.engine, login.target(1)),
        }),
      };
    };

    it('refuses every write and server action before it runs, and the table is as it was', async () => {
      // arrange
      const { names, run } = functionFor(spec.writes(table));

      // act
      const response = await run({ probes: names });
      await run.close();
      const rows = await login.admin.query(`SELECT count(*) AS n FROM ${table}`);

      // assess
      expect(response.reports.map((report) => [report.ok, report.error?.code, report.durationMs])).toEqual(
        names.map(() => [false, 'QUERY_FAILED', 0]),
      );
      for (const report of response.reports) expect(report.error?.message).toMatch(/was not run: /);
      expect(Number(rows[0]?.n)).toBe(3);
    });

    it('refuses every lock before it runs, and a writer is never blocked', async () => {
      // arrange
      const { names, run } = functionFor(spec.locks(table));

      // act
      const response = await run({ probes: names });
      if (server === 'mysql') await login.admin.query('SET SESSION lock_wait_timeout = 2');
      else await login.admin.query("SET lock_timeout = '2s'");
      await login.admin.query(`INSERT INTO ${table} VALUES (4)`);
      await login.admin.query(`DELETE FROM ${table} WHERE n = 4`);
      await run.close();

      // assess
      expect(response.reports.every((report) => report.error?.code === 'QUERY_FAILED')).toBe(true);
    });

    it('logs that its user could write on every invocation, and reports it in each response', async () => {
      // arrange: this login was granted everything on the table
      const probes = [probe({ name: 'p', sql: 'SELECT 1 AS n', metrics: [metric({ name: 'N' })] })];
      const logged: Record<string, unknown>[] = [];
      const run = createQueryFunction(
        {
          namespace: 'Acme/Attacks',
          publish: 'fanout',
          health: 'summary',
          databases: { db: database({ name: 'db', engine: spec.engine, maxConnections: 1 }) },
          probes: { p: probes[0] as (typeof probes)[number] },
        },
        {
          sqlDialect: sqlDialectOf,
          openPool: () => openEnginePool(spec.engine, login.target(1)),
          logger: { log: (level, event) => logged.push({ level, ...event }) },
        },
      );

      // act
      const responses = [await run({ probes: ['p'] }), await run({ probes: ['p'] })];
      await run.close();

      // assess
      for (const response of responses) {
        expect(response.warnings).toEqual([
          { database: 'db', code: 'WRITE_CAPABLE_USER', message: expect.stringContaining(login.user) },
        ]);
      }
      expect(
        logged.filter((event) => event.event === 'database-warning').map((event) => event.level),
      ).toEqual(['warn', 'warn']);
    });

    // MariaDB cuts its own messages to a few hundred characters
    it.skipIf(server !== 'postgres')(
      'caps what a long driver message reports at 1,024 characters',
      async () => {
        // arrange: the server quotes the whole value in its error
        const sql = `SELECT CAST('${'x'.repeat(5000)}' AS int) AS n`;
        const { names, run } = functionFor([sql]);

        // act
        const response = await run({ probes: names });
        await run.close();

        // assess
        expect(response.reports[0]?.error?.code).toBe('QUERY_FAILED');
        expect(response.reports[0]?.error?.message.length).toBeLessThanOrEqual(1024);
        expect(response.reports[0]?.error?.message.endsWith('…')).toBe(true);
      },
    );

    it('refuses a request naming more probes than it has, or a name longer than any, in a short message', async () => {
      // arrange
      const { run } = functionFor(['SELECT 1 AS n']);
      const many = { probes: Array.from({ length: 100_000 }, (_, i) => `unknown-${i}`) };
      const long = { probes: ['x'.repeat(1024 * 1024)] };

      // act
      const refusals = await Promise.allSettled([run(many), run(long)]);
      await run.close();

      // assess
      for (const refusal of refusals) {
        expect(refusal.status).toBe('rejected');
        const reason = (refusal as PromiseRejectedResult).reason as Error;
        expect(reason).toBeInstanceOf(InvalidQueryRequestError);
        expect(reason.message.length).toBeLessThan(400);
      }
    });
  });
}
