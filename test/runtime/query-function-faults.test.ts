// Faults a query function must contain: slow statements, unreachable databases, unknown probes,
// payloads carrying SQL, and connections left behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEnginePool } from '../../adapters/database-pools.js';
import { sqlDialectOf } from '../../adapters/engines/engine-registry.js';
import type { QueryManifest } from '../../core/manifest.js';
import type { ProbeConfig } from '../../core/model.js';
import type { ConnectionTarget, DatabasePool } from '../../core/ports.js';
import { createQueryFunction } from '../../core/run/query-function.js';
import { InvalidQueryRequestError } from '../../core/run/query-request.js';
import { database, metric, probe } from '../support/config-factory.js';
import {
  type AdminConnection,
  createReaderLogin,
  type PasswordLogin,
  serverAvailable,
  uniqueName,
} from '../support/databases.js';

interface ServerFixture {
  readonly engine: 'postgres' | 'mysql';
  /** a statement that runs for seconds */
  readonly slow: string;
  /** this connection's id on the server, as column `pid` */
  readonly pid: string;
  /** how many of the given connection ids are still open */
  readonly openCount: (ids: number[]) => string;
  readonly unreachable: string;
}

const servers: ServerFixture[] = [
  {
    engine: 'postgres',
    slow: 'SELECT 1 AS n FROM pg_sleep(5)',
    pid: 'SELECT pg_backend_pid() AS pid, pg_sleep(0.05) AS s',
    openCount: (ids) => `SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid IN (${ids.join(', ')})`,
    unreachable: 'postgres://metrics_reader:unused@127.0.0.1:1/test',
  },
  {
    engine: 'mysql',
    // BENCHMARK keeps the server busy (SLEEP may just return early when interrupted)
    slow: "SELECT BENCHMARK(5000000000, MD5('chasm')) AS n",
    pid: 'SELECT CONNECTION_ID() AS pid, SLEEP(0.05) AS s',
    openCount: (ids) =>
      `SELECT count(*) AS n FROM information_schema.processlist WHERE id IN (${ids.join(', ')})`,
    unreachable: 'mysql://metrics_reader:unused@127.0.0.1:1/test',
  },
];

function manifestOf(engine: string, probes: ProbeConfig[], maxConnections = 2): QueryManifest {
  return {
    namespace: 'Acme/Test',
    publish: 'fanout',
    health: 'summary',
    databases: { db: database({ name: 'db', engine, maxConnections }) },
    probes: Object.fromEntries(probes.map((p) => [p.name, p])),
  };
}

describe.each(servers)('query function faults on $engine', (server) => {
  let available = true;
  let admin: AdminConnection;
  let login: PasswordLogin;
  // a read-only user that needs its password, as a deployed probe user
  let target: ConnectionTarget;
  const table = uniqueName('chasm_rt_fault');

  beforeAll(async () => {
    available = await serverAvailable(server.engine);
    if (!available) return;
    login = await createReaderLogin(server.engine);
    target = login.target(2);
    admin = login.admin;
    await admin.query(`CREATE TABLE ${table} (id int PRIMARY KEY)`);
    await admin.query(`INSERT INTO ${table} VALUES (1), (2), (3)`);
  });

  afterAll(async () => {
    if (!available) return;
    await admin.query(`DROP TABLE IF EXISTS ${table}`);
    await login.drop();
  });

  it('times out a statement beyond its timeout while its sibling probes on the same database succeed', async ({
    skip,
  }) => {
    if (!available) skip();
    // arrange
    const probes = [
      probe({ name: 'slow', sql: server.slow, timeoutMs: 500 }),
      ...['a', 'b', 'c'].map((name) =>
        probe({ name, sql: `SELECT count(*) AS n FROM ${table}`, timeoutMs: 5000 }),
      ),
    ];
    const run = createQueryFunction(manifestOf(server.engine, probes), {
      sqlDialect: sqlDialectOf,
      openPool: () => openEnginePool(server.engine, target),
    });
    // act
    const response = await run({ probes: ['slow', 'a', 'b', 'c'] });
    await run.close();
    // assess
    expect(response.reports[0]).toMatchObject({
      probe: 'slow',
      database: 'db',
      ok: false,
      error: { code: 'TIMEOUT', message: "probe 'slow' exceeded its 500ms timeout" },
    });
    expect(response.reports.slice(1).map((r) => [r.probe, r.ok])).toEqual([
      ['a', true],
      ['b', true],
      ['c', true],
    ]);
    expect(response.metrics.map((d) => d.Value)).toEqual([3, 3, 3]);
  });

  it('times out a probe still waiting for a connection, saying so, when a slow one holds the only one', async ({
    skip,
  }) => {
    if (!available) skip();
    // arrange
    const probes = [
      probe({ name: 'slow', sql: server.slow, timeoutMs: 1000 }),
      probe({ name: 'queued', sql: `SELECT count(*) AS n FROM ${table}`, timeoutMs: 300 }),
    ];
    const run = createQueryFunction(manifestOf(server.engine, probes, 1), {
      sqlDialect: sqlDialectOf,
      openPool: () => openEnginePool(server.engine, login.target(1)),
    });
    // act
    const response = await run({ probes: ['slow', 'queued'] });
    await run.close();
    // assess
    expect(response.reports.map((r) => r.error)).toEqual([
      { code: 'TIMEOUT', message: "probe 'slow' exceeded its 1s timeout" },
      {
        code: 'TIMEOUT',
        message:
          "probe 'queued' exceeded its 300ms timeout waiting for one of database 'db''s 1 connections (maxConnections)",
      },
    ]);
  });

  it('reports an unreachable database as CONNECTION_FAILED before the probe’s deadline', async () => {
    // arrange
    const unreachable: ConnectionTarget = { kind: 'url', url: server.unreachable, maxConnections: 2 };
    const run = createQueryFunction(manifestOf(server.engine, [probe({ name: 'p', timeoutMs: 20_000 })]), {
      sqlDialect: sqlDialectOf,
      openPool: () => openEnginePool(server.engine, unreachable),
    });
    // act
    const response = await run({ probes: ['p'] });
    await run.close();
    // assess
    expect(response.reports[0]?.error?.code).toBe('CONNECTION_FAILED');
    expect(response.reports[0]?.error?.message).toContain("probe 'p' (database 'db')");
  });

  it('reports an unknown probe name as UNKNOWN_PROBE and still runs the known ones', async ({ skip }) => {
    if (!available) skip();
    const run = createQueryFunction(
      manifestOf(server.engine, [probe({ name: 'known' }), probe({ name: 'another' })]),
      { sqlDialect: sqlDialectOf, openPool: () => openEnginePool(server.engine, target) },
    );
    const response = await run({ probes: ['known', 'unknown'] });
    await run.close();
    expect(response.reports).toEqual([
      expect.objectContaining({ probe: 'known', ok: true }),
      {
        probe: 'unknown',
        database: '',
        ok: false,
        rows: 0,
        durationMs: 0,
        error: { code: 'UNKNOWN_PROBE', message: "probe 'unknown' is not deployed with this function" },
      },
    ]);
  });

  it.each([
    ['a payload carrying SQL', { probes: ['count'], sql: 'DELETE FROM t' }],
    ['a probe given as SQL instead of a name', { probes: [{ name: 'count', sql: 'DELETE FROM t' }] }],
    [
      'credentials with extra keys',
      { probes: ['count'], credentials: { db: { password: 'x', sql: 'DELETE' } } },
    ],
    ['no probes list', { sql: 'SELECT 1' }],
    ['not an object', 'DELETE FROM t'],
  ])('refuses %s and runs nothing', async (_, payload) => {
    // arrange
    let opened = 0;
    const run = createQueryFunction(manifestOf(server.engine, [probe({ name: 'count' })]), {
      sqlDialect: sqlDialectOf,
      openPool: (): DatabasePool => {
        opened++;
        throw new Error('must not be reached');
      },
    });
    // act
    const attempt = run(payload);
    // assess
    await expect(attempt).rejects.toBeInstanceOf(InvalidQueryRequestError);
    expect(opened).toBe(0);
  });

  it('drops the largest probe’s data with PAYLOAD_TOO_LARGE, naming its size, when the response is over the limit', async ({
    skip,
  }) => {
    if (!available) skip();
    // arrange: 'wide' gives three datums, 'narrow' one; only one probe's data fits
    const probes = [
      probe({ name: 'wide', sql: `SELECT id, id AS n FROM ${table}`, dimensions: { Id: { column: 'id' } } }),
      probe({ name: 'narrow', sql: `SELECT count(*) AS n FROM ${table}` }),
    ];
    const run = createQueryFunction(manifestOf(server.engine, probes), {
      sqlDialect: sqlDialectOf,
      openPool: () => openEnginePool(server.engine, target),
      maxResponseBytes: 450,
    });
    // act
    const response = await run({ probes: ['wide', 'narrow'] });
    await run.close();
    // assess
    expect(response.reports[0]?.error).toEqual({
      code: 'PAYLOAD_TOO_LARGE',
      message: `probe 'wide' (database 'db') produced ${JSON.stringify(wideData()).length} bytes of metric data, more than fits in Lambda's 450-byte response`,
    });
    expect(response.reports[1]?.ok).toBe(true);
    expect(response.metrics).toEqual([
      { MetricName: 'Value', Dimensions: [], Unit: 'Count', StorageResolution: 60, Value: 3 },
    ]);
    // what each report's probe kept, so the fan-out can trace a datum back to its probe
    expect(response.metricsPerReport).toEqual([0, 1]);
    expect(JSON.stringify(response).length).toBeLessThanOrEqual(450);
  });

  it('logs one structured line per probe outcome, with neither SQL nor credentials', async ({ skip }) => {
    if (!available) skip();
    // arrange
    const events: Record<string, unknown>[] = [];
    const probes = [
      probe({ name: 'fine', sql: `SELECT count(*) AS n FROM ${table}` }),
      probe({ name: 'broken', sql: 'SELECT nope' }),
    ];
    const run = createQueryFunction(manifestOf(server.engine, probes), {
      sqlDialect: sqlDialectOf,
      openPool: () => openEnginePool(server.engine, target),
      logger: { log: (level, event) => events.push({ level, ...event }) },
    });
    // act
    await run({ probes: ['fine', 'broken'], credentials: { db: { password: 'hunter2' } } });
    await run.close();
    // assess
    expect(events).toEqual([
      {
        level: 'info',
        event: 'probe',
        probe: 'fine',
        database: 'db',
        ok: true,
        rows: 1,
        durationMs: expect.any(Number),
      },
      expect.objectContaining({
        level: 'error',
        event: 'probe',
        probe: 'broken',
        database: 'db',
        ok: false,
        code: 'QUERY_FAILED',
      }),
    ]);
    const logged = JSON.stringify(events);
    for (const secret of ['hunter2', 'SELECT nope', `FROM ${table}`]) expect(logged).not.toContain(secret);
  });

  it('uses at most maxConnections connections and leaves none open after close', async ({ skip }) => {
    if (!available) skip();
    // arrange: six probes that report their own connection id
    const probes = Array.from({ length: 6 }, (_, i) =>
      probe({ name: `pid${i}`, sql: server.pid, metrics: [metric({ name: 'Pid', column: 'pid' })] }),
    );
    const run = createQueryFunction(manifestOf(server.engine, probes, 2), {
      sqlDialect: sqlDialectOf,
      openPool: () => openEnginePool(server.engine, target),
    });
    // act
    const response = await run({ probes: probes.map((p) => p.name) });
    const ids = [...new Set(response.metrics.map((d) => d.Value as number))];
    const whileOpen = Number((await admin.query(server.openCount(ids)))[0]?.n);
    await run.close();
    // assess
    expect(response.reports.every((r) => r.ok)).toBe(true);
    expect(ids.length).toBeGreaterThanOrEqual(1);
    expect(ids.length).toBeLessThanOrEqual(2);
    expect(whileOpen).toBeLessThanOrEqual(ids.length);
    // the server forgets a closed connection a moment after the client leaves
    await expect.poll(async () => Number((await admin.query(server.openCount(ids)))[0]?.n)).toBe(0);
  });
});

function wideData() {
  return [1, 2, 3].map((id) => ({
    MetricName: 'Value',
    Dimensions: [{ Name: 'Id', Value: String(id) }],
    Unit: 'Count',
    StorageResolution: 60,
    Value: id,
  }));
}
