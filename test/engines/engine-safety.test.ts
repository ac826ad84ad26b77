/**
 * What a DBA checks after pointing Chasm at a database, asserted on the real PostgreSQL and
 * MariaDB: no lock, variable or setting of a probe outlives it, no statement runs on past its
 * probe, no result is read beyond `maxRows + 1` rows, no socket is left open, no failed login is
 * repeated at once, a connection the server dropped is replaced, a rotated login is used. Each
 * attack runs at the engine, below the statement allow-list (the fence `chasm validate` and the
 * query function put in front): what stops it here is the engine itself, or the user's privileges.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EngineEntry, engineRegistry } from '../../adapters/engines/engine-registry.js';
import type { ConnectionTarget, DatabaseLogin, DatabasePool, QueryOptions } from '../../core/ports.js';
import { ProbeError } from '../../core/probe-error.js';
import { startDeadline } from '../../core/run/deadline-timer.js';
import {
  createPasswordLogin,
  createReaderLogin,
  type PasswordLogin,
  type Server,
  serverAvailable,
  skipUnlessCi,
  uniqueName,
} from '../support/databases.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

const options: QueryOptions = { timeoutMs: 5000, maxRows: 100 };

interface ServerSpec {
  readonly engine: 'postgres' | 'mysql';
  readonly port: number;
  sleep(seconds: number): string;
  /** this session's id, as column `id` */
  readonly sessionId: string;
  /** the admin's count of this user's statements still running */
  running(login: PasswordLogin): Promise<number>;
  /** the admin's count of this user's sessions inside a transaction */
  openTransactions(login: PasswordLogin): Promise<number>;
  /** a probe leaving a lock, a variable and a setting behind in its session */
  readonly leaveState: string;
  /** what the next probe sees of them: `locks` and `leaked` count what it finds */
  readonly readState: string;
  /** whether another session could take the lock the probe took (it is free) */
  lockFree(login: PasswordLogin): Promise<boolean>;
  /** two million rows */
  readonly manyRows: string;
  /** ends session `id` from the admin's connection */
  terminate(login: PasswordLogin, id: number): Promise<void>;
  readonly currentUser: string;
}

const specs: Readonly<Record<Server, ServerSpec>> = {
  postgres: {
    engine: 'postgres',
    port: 5432,
    sleep: (seconds) => `SELECT pg_sleep(${seconds}) AS slept`,
    sessionId: 'pg_backend_pid()',
    async running(login) {
      const rows = await login.admin.query(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = $1 AND state <> 'idle'",
        [login.user],
      );
      return Number(rows[0]?.n);
    },
    async openTransactions(login) {
      const rows = await login.admin.query(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = $1 AND state LIKE 'idle in transaction%'",
        [login.user],
      );
      return Number(rows[0]?.n);
    },
    leaveState: `SELECT pg_backend_pid() AS id, pg_advisory_lock(4242) IS NULL AS locked,
      set_config('search_path', 'leaked', false) AS path, set_config('application_name', 'leaked', false) AS app`,
    readState: `SELECT pg_backend_pid() AS id,
      (SELECT count(*)::int FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()) AS locks,
      (CASE WHEN current_setting('search_path') = 'leaked' THEN 1 ELSE 0 END
        + CASE WHEN current_setting('application_name') = 'leaked' THEN 1 ELSE 0 END
        + (SELECT count(*)::int FROM pg_prepared_statements)) AS leaked`,
    async lockFree(login) {
      const rows = await login.admin.query(
        "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242",
      );
      return Number(rows[0]?.n) === 0;
    },
    manyRows: "SELECT g, repeat('x', 100) AS pad FROM generate_series(1, 2000000) AS g",
    async terminate(login, id) {
      await login.admin.query('SELECT pg_terminate_backend($1)', [id]);
    },
    currentUser: 'SELECT current_user AS who',
  },
  mysql: {
    engine: 'mysql',
    port: 3306,
    sleep: (seconds) => `SELECT SLEEP(${seconds}) AS slept`,
    sessionId: 'CONNECTION_ID()',
    async running(login) {
      const rows = await login.admin.query(
        "SELECT COUNT(*) AS n FROM information_schema.processlist WHERE user = ? AND command = 'Query'",
        [login.user],
      );
      return Number(rows[0]?.n);
    },
    async openTransactions(login) {
      const rows = await login.admin.query(
        `SELECT COUNT(*) AS n FROM information_schema.innodb_trx AS t
           JOIN information_schema.processlist AS p ON p.id = t.trx_mysql_thread_id WHERE p.user = ?`,
        [login.user],
      );
      return Number(rows[0]?.n);
    },
    leaveState: `SELECT CONNECTION_ID() AS id, GET_LOCK('chasm_safety_lock', 0) AS locked, @leaked := 7 AS v`,
    readState: `SELECT CONNECTION_ID() AS id,
      IF(IS_USED_LOCK('chasm_safety_lock') = CONNECTION_ID(), 1, 0) AS locks,
      IF(@leaked IS NULL, 0, 1) AS leaked`,
    async lockFree(login) {
      const rows = await login.admin.query("SELECT IS_FREE_LOCK('chasm_safety_lock') AS free");
      return Number(rows[0]?.free) === 1;
    },
    manyRows: "SELECT seq, REPEAT('x', 100) AS pad FROM seq_1_to_2000000",
    async terminate(login, id) {
      await login.admin.query(`KILL ${id}`);
    },
    currentUser: "SELECT SUBSTRING_INDEX(CURRENT_USER(), '@', 1) AS who",
  },
};

async function failure(promise: Promise<unknown>): Promise<ProbeError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ProbeError) return error;
    throw new Error(`expected a ProbeError, got ${String(error)}`);
  }
  throw new Error('expected the query to fail');
}

/** polls `read` until it gives `expected` (or the attempts run out); returns the last value */
async function settle<T>(read: () => Promise<T>, expected: T, attempts = 40): Promise<T> {
  let value = await read();
  for (let i = 0; i < attempts && value !== expected; i++) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    value = await read();
  }
  return value;
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await work();
  return { value, ms: performance.now() - start };
}

for (const server of ['postgres', 'mysql'] as const) {
  const spec = specs[server];
  const available = await serverAvailable(server);
  const engine = await (engineRegistry[spec.engine] as EngineEntry).load();

  describe.skipIf(!available)(`${server}: what a probe leaves behind`, () => {
    let login: PasswordLogin;
    const pools: DatabasePool[] = [];
    // an InnoDB table on MariaDB: only a transaction that read one shows as open there
    const table = uniqueName('chasm_safety');
    const open = (target: ConnectionTarget): DatabasePool => {
      const pool = engine.openPool(target);
      pools.push(pool);
      return pool;
    };

    beforeAll(async () => {
      try {
        login = await createReaderLogin(server);
      } catch (error) {
        skipUnlessCi(`${server} safety suite`, String(error));
        throw error;
      }
      await login.admin.query(`CREATE TABLE ${table} (n int)`);
      await login.admin.query(`INSERT INTO ${table} VALUES (1), (2)`);
    });
    afterAll(async () => {
      await Promise.allSettled(pools.map((pool) => pool.close()));
      await login?.admin.query(`DROP TABLE IF EXISTS ${table}`);
      await login?.drop();
    });

    it("never lets a probe's lock, variable or setting reach the next probe on its connection", async () => {
      // arrange: one connection, so the second probe runs where the first one ran
      const pool = open(login.target(1));

      // act
      const [left] = await pool.query(spec.leaveState, options);
      const [seen] = await pool.query(spec.readState, options);

      // assess
      expect(Number(seen?.id)).toBe(Number(left?.id));
      expect(Number(seen?.locks)).toBe(0);
      expect(Number(seen?.leaked)).toBe(0);
      expect(await settle(() => spec.lockFree(login), true)).toBe(true);
    });

    it(`never lets a probe's ${server === 'postgres' ? 'prepared statement' : 'session setting'} reach the next probe`, async () => {
      // arrange: below the allow-list, which refuses both
      const pool = open(login.target(1));
      const [leave, read] =
        server === 'postgres'
          ? ['PREPARE chasm_leak AS SELECT 1', 'SELECT count(*)::int AS n FROM pg_prepared_statements']
          : [
              "SET SESSION sql_mode = 'ANSI_QUOTES'",
              'SELECT IF(@@SESSION.sql_mode = @@GLOBAL.sql_mode, 0, 1) AS n',
            ];

      // act
      await pool.query(leave, options);
      const [seen] = await pool.query(read, options);

      // assess
      expect(Number(seen?.n)).toBe(0);
    });

    it('honours or refuses each TLS parameter of a local url, never dropping one', async () => {
      // arrange
      const base = new URL(login.url());
      const withParameter = (parameter: string): ConnectionTarget => {
        const url = new URL(base.toString());
        const [name = '', value = ''] = parameter.split('=');
        url.searchParams.set(name, value);
        return { kind: 'url', url: url.toString(), maxConnections: 1 };
      };
      const [required, unknown] =
        server === 'postgres' ? ['sslmode=require', 'sslmode=prefer'] : ['ssl-mode=REQUIRED', 'ssl=true'];

      // act: the local server offers no TLS; a parameter the engine does not know stops the pool opening
      const encrypted = await failure(open(withParameter(required)).query('SELECT 1 AS one', options));
      const refused = await failure((async () => open(withParameter(unknown)))());

      // assess
      expect(encrypted.code).toBe('CONNECTION_FAILED');
      expect(encrypted.message).toMatch(/SSL|TLS|secure/i);
      expect(refused.code).toBe('CONNECTION_FAILED');
      expect(refused.message).toMatch(/local url: .*(not supported)/);
    });

    it("gives each probe on a reused connection its own statement timeout, not the previous probe's", async () => {
      // arrange: the first probe on the connection allows a minute
      const pool = open(login.target(1));
      await pool.query(spec.sleep(0.01), { timeoutMs: 60_000, maxRows: 10 });

      // act: the server cuts the next one off at its own 300 ms
      const error = await failure(pool.query(spec.sleep(3), { timeoutMs: 300, maxRows: 10 }));

      // assess
      expect(error.code).toBe('TIMEOUT');
    });

    it('leaves no transaction open once many concurrent probes have resolved', async () => {
      // arrange
      const pool = open(login.target(3));

      // act
      await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          pool.query(`SELECT count(*) + ${i} AS n FROM ${table}`, options),
        ),
      );
      const open_ = await settle(() => spec.openTransactions(login), 0);

      // assess
      expect(open_).toBe(0);
    });

    it('cancels a statement on the server when its deadline passes, before the pool says it is settled', async () => {
      // arrange: the server would let it run for a minute
      const pool = open(login.target(1));
      const deadline = startDeadline(300);

      // act
      const { value: error, ms } = await timed(() =>
        failure(pool.query(spec.sleep(30), { timeoutMs: 60_000, maxRows: 10, deadline })),
      );
      await pool.settled();
      // the statement would run for half a minute; cancelled, it is gone within moments
      const running = await settle(() => spec.running(login), 0);
      const after = await pool.query('SELECT 1 AS one', options);

      // assess
      expect(error.code).toBe('TIMEOUT');
      expect(ms).toBeLessThan(1000);
      expect(running).toBe(0);
      expect(after).toHaveLength(1);
    });

    it('reads at most maxRows + 1 rows of two million and leaves nothing running on the server', async () => {
      // arrange
      const pool = open(login.target(1));

      // act
      const rows = await pool.query(spec.manyRows, { timeoutMs: 30_000, maxRows: 1000 });
      await pool.settled();
      const running = await settle(() => spec.running(login), 0);
      const after = await pool.query('SELECT 2 AS two', options);

      // assess
      expect(rows).toHaveLength(1001);
      expect(running).toBe(0);
      expect(Number(after[0]?.two)).toBe(2);
    });

    it('refuses a result with two columns of one name as INVALID_VALUE instead of keeping one', async () => {
      // act
      const error = await failure(open(login.target(1)).query('SELECT 1 AS a, 2 AS a', options));

      // assess
      expect(error.code).toBe('INVALID_VALUE');
      expect(error.message).toContain("two columns named 'a'");
    });

    it('runs a probe once more on a fresh connection when the server dropped its idle one', async () => {
      // arrange: the client finds out only when it writes, as a frozen Lambda instance does
      const proxy = await startTcpProxy({ host: '127.0.0.1', port: spec.port });
      try {
        const pool = open({ ...login.target(1), port: proxy.port } as ConnectionTarget);
        const [first] = await pool.query(`SELECT ${spec.sessionId} AS id`, options);
        proxy.severOpen();

        // act
        const [second] = await pool.query(`SELECT ${spec.sessionId} AS id`, options);

        // assess
        expect(Number(second?.id)).not.toBe(Number(first?.id));
        expect(proxy.opened).toBe(2);
      } finally {
        await proxy.close();
      }
    });

    it('replaces a connection the server terminated while it was idle', async () => {
      // arrange
      const pool = open(login.target(1));
      const [first] = await pool.query(`SELECT ${spec.sessionId} AS id`, options);
      await spec.terminate(login, Number(first?.id));

      // act
      const [second] = await pool.query(`SELECT ${spec.sessionId} AS id`, options);

      // assess
      expect(Number(second?.id)).not.toBe(Number(first?.id));
    });

    describe('a server that stops answering', () => {
      let proxy: TcpProxy;
      beforeAll(async () => {
        proxy = await startTcpProxy({ host: '127.0.0.1', port: spec.port });
      });
      afterAll(() => proxy.close());

      it('times out at the deadline, and close() leaves no socket open within a second', async () => {
        // arrange: a connection made, then the server goes silent
        const pool = open({ ...login.target(2), port: proxy.port } as ConnectionTarget);
        await pool.query('SELECT 1 AS one', options);
        proxy.stall();
        const deadline = startDeadline(500);

        // act: the idle connection's probe and a new connection's both wait on silence
        const { value: errors, ms } = await timed(() =>
          Promise.all([
            failure(pool.query('SELECT 1 AS one', { ...options, deadline })),
            failure(pool.query('SELECT 2 AS two', { ...options, deadline })),
          ]),
        );
        const closing = await timed(() => pool.close());

        // assess
        expect(errors.map((error) => error.code)).toEqual(['TIMEOUT', 'TIMEOUT']);
        expect(ms).toBeLessThan(1000);
        expect(closing.ms).toBeLessThan(1500);
        expect(await settle(async () => proxy.open, 0)).toBe(0);
      });
    });

    it('tries a failing login once per slot, closes its sockets at once, and backs off', async () => {
      // arrange
      const proxy = await startTcpProxy({ host: '127.0.0.1', port: spec.port });
      let current: DatabaseLogin = { user: login.user, password: 'wrong' };
      try {
        const pool = open({
          ...login.target(2),
          port: proxy.port,
          login: () => current,
        } as ConnectionTarget);

        // act
        const first = await Promise.all(
          Array.from({ length: 20 }, () => failure(pool.query('SELECT 1 AS one', options))),
        );
        const openAfterFirst = await settle(async () => proxy.open, 0);
        const openedAfterFirst = proxy.opened;
        const again = await failure(pool.query('SELECT 1 AS one', options));
        current = { user: login.user, password: login.password };
        const fixed = await pool.query('SELECT 1 AS one', options);

        // assess
        expect(first.every((error) => error.code === 'CONNECTION_FAILED')).toBe(true);
        expect(openedAfterFirst).toBeLessThanOrEqual(2);
        expect(openAfterFirst).toBe(0);
        expect(again.message).toMatch(/^not connecting again for \d+ s after \d failed attempt/);
        expect(fixed).toHaveLength(1);
        expect(proxy.opened).toBe(openedAfterFirst + 1);
      } finally {
        await proxy.close();
      }
    });

    it('logs in with the rotated user for new connections', async () => {
      // arrange: a second user; the login switches to it after the first probe
      const rotated = await createReaderLogin(server);
      try {
        let current: DatabaseLogin = { user: login.user, password: login.password };
        const pool = open({ ...login.target(2), login: () => current } as ConnectionTarget);
        await pool.query('SELECT 1 AS one', options);
        current = { user: rotated.user, password: rotated.password };

        // act: two at once, so one of them needs a new connection
        const users = await Promise.all([
          pool.query(`${spec.currentUser}, ${spec.sleep(0.2).replace(/^SELECT /, '')}`, options),
          pool.query(`${spec.currentUser}, ${spec.sleep(0.2).replace(/^SELECT /, '')}`, options),
        ]);

        // assess
        expect(users.map((rows) => rows[0]?.who).sort()).toEqual([login.user, rotated.user].sort());
      } finally {
        await Promise.allSettled(pools.map((pool) => pool.close()));
        await rotated.drop();
      }
    });

    it('warns that a user could write, and not about a read-only one', async () => {
      // arrange
      const writer = await createPasswordLogin(server);
      try {
        if (server === 'postgres') await writer.admin.query(`ALTER ROLE ${writer.user} SUPERUSER`);
        else await writer.admin.query(`GRANT INSERT, DELETE ON *.* TO '${writer.user}'@'%'`);
        const writing = open(writer.target(1));
        const reading = open(login.target(1));

        // act
        await writing.query('SELECT 1 AS one', options);
        await reading.query('SELECT 1 AS one', options);

        // assess
        expect(writing.warnings()).toEqual([
          {
            code: 'WRITE_CAPABLE_USER',
            message: expect.stringMatching(
              server === 'postgres' ? /is a superuser/ : /INSERT, DELETE ON \*\.\*/,
            ),
          },
        ]);
        expect(reading.warnings()).toEqual([]);
      } finally {
        await Promise.allSettled(pools.map((pool) => pool.close()));
        await writer.drop();
      }
    });
  });
}
