/**
 * The postgres engine sends each probe as one message: BEGIN READ ONLY, a transaction-local
 * statement_timeout, the probe, ROLLBACK (the control statements prepared once per connection).
 * Nothing a probe does to its session may reach the next probe on its connection, no connection is
 * left in a transaction, the probe's rows stop at the limit on the server, and a server that
 * never answers fails the connection within its connect timeout.
 */
import { createServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coarseTimeoutMs } from '../../adapters/engines/pg-read-only-probe.js';
import { openPostgresPool } from '../../adapters/engines/postgres-engine.js';
import { startDeadline } from '../../core/deadline.js';
import type { DatabasePool, Row } from '../../core/ports.js';
import {
  type AdminConnection,
  connectAdmin,
  PG_URL,
  serverAvailable,
  uniqueName,
} from '../support/databases.js';

const available = await serverAvailable('postgres');
const options = { timeoutMs: 5000, maxRows: 100 };

describe.skipIf(!available)('postgres engine', () => {
  let admin: AdminConnection;
  let application: string;
  let pool: DatabasePool;

  beforeAll(async () => {
    admin = await connectAdmin('postgres');
  });
  afterAll(async () => {
    await admin.end();
  });

  const open = (maxConnections: number): DatabasePool => {
    application = uniqueName('chasm_probe');
    const url = `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}application_name=${application}`;
    pool = openPostgresPool({ kind: 'url', url, maxConnections });
    return pool;
  };

  /** runs `first`, then `next` as soon as `first` resolves, while a slow query keeps the pool busy */
  const backToBack = async (first: string, next: string): Promise<[Row, Row]> => {
    const busy = pool.query('SELECT pg_sleep(0.3)', options);
    const a = await pool.query(first, options);
    const b = await pool.query(next, options);
    await busy;
    return [a[0] ?? {}, b[0] ?? {}];
  };

  it('undoes session settings a probe changed with set_config(…, false) before the next probe on its connection', async () => {
    // arrange
    open(2);
    try {
      // act
      const [a, b] = await backToBack(
        `SELECT pg_backend_pid() AS pid, set_config('default_transaction_read_only', 'on', false) AS ro,
                set_config('application_name', 'leaked', false) AS app, set_config('search_path', 'leaked', false) AS path`,
        `SELECT pg_backend_pid() AS pid, current_setting('default_transaction_read_only') AS ro,
                current_setting('application_name') AS app, current_setting('search_path') AS path`,
      );

      // assess: the same connection, with every setting back to its default
      expect(b.pid).toBe(a.pid);
      expect(a.app).toBe('leaked');
      expect(b).toMatchObject({ ro: 'off', app: application, path: '"$user", public' });
    } finally {
      await pool.close();
    }
  });

  it('runs the next probe on a reused connection read-only, with its own statement timeout', async () => {
    // arrange
    open(2);
    try {
      // act
      const [a, b] = await backToBack(
        `SELECT pg_backend_pid() AS pid, set_config('statement_timeout', '0', false) AS st`,
        `SELECT pg_backend_pid() AS pid, current_setting('transaction_read_only') AS ro,
                current_setting('statement_timeout') AS st`,
      );

      // assess
      expect(b.pid).toBe(a.pid);
      expect(b).toMatchObject({ ro: 'on', st: '5s' });
    } finally {
      await pool.close();
    }
  });

  it("gives each probe its own statement timeout on a connection that started with another probe's", async () => {
    // arrange
    open(1);
    const timeoutOf = async (timeoutMs: number): Promise<unknown> => {
      const [row] = await pool.query("SELECT current_setting('statement_timeout') AS st", {
        timeoutMs,
        maxRows: 1,
      });
      return row?.st;
    };
    try {
      // act: the connection opens for the first probe, with its timeout
      const seen = [
        await timeoutOf(5000),
        await timeoutOf(2000),
        await timeoutOf(5000),
        await timeoutOf(9312),
      ];

      // assess: the session's own, a probe's own, the session's again, rounded up
      expect(seen).toEqual(['5s', '2s', '5s', '9400ms']);
    } finally {
      await pool.close();
    }
  });

  it('gives TIMEOUT at once on a reused connection at the deadline, destroys it, and serves the next probe', async () => {
    // arrange
    open(2);
    try {
      const busy = pool.query('SELECT pg_sleep(0.5)', options);
      const [first] = await pool.query('SELECT pg_backend_pid() AS pid', options);

      // act: the next probe takes that connection and outlives its client-side deadline (its
      // backend ends when the statement does: the server reads the goodbye only then)
      const slow = pool.query('SELECT pg_sleep(1.5)', { ...options, deadline: startDeadline(200) });
      const error = await slow.catch((caught: unknown) => caught);
      let open = 1;
      for (let i = 0; i < 100 && open > 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        const [row] = await admin.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = $1', [
          first?.pid,
        ]);
        open = Number(row?.n);
      }
      const [after] = await pool.query('SELECT 7 AS n', options);
      await busy;

      // assess
      expect(error).toMatchObject({ code: 'TIMEOUT' });
      expect(open).toBe(0);
      expect(after?.n).toBe(7);
    } finally {
      await pool.close();
    }
  });

  it('leaves every connection idle, none in a transaction, once the last of many concurrent probes resolves', async () => {
    // arrange: more probes than connections, so each connection serves one probe after another
    open(3);
    try {
      // act
      const results = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          pool.query(`SELECT ${i} AS n, pg_backend_pid() AS pid`, options),
        ),
      );
      const states = await admin.query('SELECT state FROM pg_stat_activity WHERE application_name = $1', [
        application,
      ]);

      // assess
      expect(results.map((rows) => rows[0]?.n)).toEqual(Array.from({ length: 60 }, (_, i) => i));
      expect(new Set(results.map((rows) => rows[0]?.pid)).size).toBeLessThanOrEqual(3);
      expect(states.length).toBeGreaterThan(0);
      expect(states.map((row) => row.state)).toEqual(states.map(() => 'idle'));
    } finally {
      await pool.close();
    }
  });

  it("leaves a finished probe's connection idle at once, without waiting for another probe", async () => {
    // arrange
    open(2);
    try {
      // act: a quick probe finishes while a slow one still runs, and no other probe comes
      const slow = pool.query('SELECT pg_sleep(0.5)', options);
      const [quick] = await pool.query('SELECT pg_backend_pid() AS pid', options);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const [row] = await admin.query('SELECT state FROM pg_stat_activity WHERE pid = $1', [quick?.pid]);
      await slow;

      // assess
      expect(row?.state).toBe('idle');
    } finally {
      await pool.close();
    }
  });

  it('rolls back after a failed probe: the next probe on the connection runs in a fresh read-only transaction', async () => {
    // arrange
    open(1);
    try {
      // act
      const error = await pool.query('SELECT no_such_column', options).catch((caught: unknown) => caught);
      const [after] = await pool.query(
        `SELECT current_setting('transaction_read_only') AS ro, current_setting('statement_timeout') AS st,
                (SELECT count(*)::int FROM pg_stat_activity WHERE application_name = '${application}'
                   AND state = 'idle in transaction (aborted)') AS aborted`,
        options,
      );

      // assess
      expect(error).toMatchObject({ code: 'QUERY_FAILED' });
      expect(after).toEqual({ ro: 'on', st: '5s', aborted: 0 });
    } finally {
      await pool.close();
    }
  });

  it('stops the probe on the server after maxRows + 1 rows', async () => {
    // arrange: each row takes 200 ms to produce, so all 50 would outlast the 3 s timeout
    open(1);
    try {
      // act
      const rows = await pool.query(
        'SELECT g, pg_sleep(0.2) IS NULL AS slept FROM generate_series(1, 50) AS g',
        { timeoutMs: 3000, maxRows: 2 },
      );

      // assess
      expect(rows.map((row) => row.g)).toEqual([1, 2, 3]);
    } finally {
      await pool.close();
    }
  });

  it('serves the next probe on a connection whose prepared statements a probe dropped', async () => {
    // arrange
    open(1);
    try {
      await pool.query('SELECT 1 AS warm', options);

      // act: the probe runs, then the transaction's end cannot find its prepared statement
      const dropped = await pool.query('DEALLOCATE ALL', options).catch((caught: unknown) => caught);
      const [after] = await pool.query(
        "SELECT current_setting('transaction_read_only') AS ro, current_setting('statement_timeout') AS st",
        options,
      );

      // assess
      expect(dropped).toMatchObject({ code: 'QUERY_FAILED' });
      expect(after).toEqual({ ro: 'on', st: '5s' });
    } finally {
      await pool.close();
    }
  });

  it('gives CONNECTION_FAILED when the server accepts the connection but never answers', async () => {
    // arrange: a listener that takes the connection and says nothing
    const held: Socket[] = [];
    const silent = createServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    const mute = openPostgresPool({
      kind: 'url',
      url: `postgres://postgres@127.0.0.1:${port}/test`,
      maxConnections: 1,
    });
    try {
      // act: no deadline is given, so only the connect timeout (1 s for a 1 s probe) can end the wait
      const error = await mute
        .query('SELECT 1', { timeoutMs: 1000, maxRows: 10 })
        .catch((caught: unknown) => caught);

      // assess
      expect(error).toMatchObject({ code: 'CONNECTION_FAILED' });
      expect(held.length).toBe(1);
    } finally {
      await mute.close();
      for (const socket of held) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

describe('statement timeouts as the postgres engine sets them', () => {
  it.each([
    [10_000, 10_000],
    [9_312, 9_400],
    [300, 300],
    [1_001, 1_100],
    [123_456, 130_000],
    [7, 7],
    [0.4, 1],
  ])('rounds %d ms up to %d ms (two significant digits, never shorter)', (ms, expected) => {
    expect(coarseTimeoutMs(ms)).toBe(expected);
  });
});
