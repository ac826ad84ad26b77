// examples/packs/postgres-health.yaml against the real PostgreSQL, logged in as a password login
// holding exactly the grants the pack's header lists, with an idle transaction, a blocked session,
// dead tuples and replication slots seeded so its values are not all zero.
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countSeries } from '../../core/plan/billed-series.js';
import { estimateCost } from '../../core/plan/cost-model.js';
import { buildPlan } from '../../core/plan/plan.js';
import type { FanoutOutcome } from '../../core/run/fan-out.js';
import {
  type AdminConnection,
  connectAdmin,
  createPasswordLogin,
  type PasswordLogin,
  PG_URL,
  serverAvailable,
  uniqueName,
} from '../support/databases.js';
import { PACKS_DIR } from '../support/example-files.js';
import { datumValue, PACK_USER, packConfigAt, readPackHeader, runPack, seriesKey } from './health-pack.js';

const PACK = join(PACKS_DIR, 'postgres-health.yaml');

/** every metric the pack publishes, with its unit */
const UNITS = {
  TransactionIdAge: 'Count',
  MultiXactIdAge: 'Count',
  LongestRunningQuery: 'Seconds',
  LongestIdleInTransaction: 'Seconds',
  OldestTransaction: 'Seconds',
  BlockedSessions: 'Count',
  LongestLockWait: 'Seconds',
  MaxDeadTuples: 'Count',
  MaxDeadTuplePercent: 'Percent',
  ReplicationSlotRetainedWal: 'Bytes',
  InactiveReplicationSlots: 'Count',
  ConnectionsByState: 'Count',
  ProbesFailed: 'Count',
};

const STATES = ['active', 'idle', 'idle in transaction', 'idle in transaction (aborted)', 'other'];

/** a client of the admin user on `database` */
async function adminClient(database: string): Promise<pg.Client> {
  const url = new URL(PG_URL);
  url.pathname = `/${database}`;
  const client = new pg.Client({ connectionString: url.toString() });
  // the cleanup's DROP DATABASE … WITH (FORCE) ends the sessions left in it
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** Waits until the statistics of `database` count `dead` dead tuples in table orders. */
async function deadTuplesCounted(database: string, dead: number): Promise<void> {
  const client = await adminClient(database);
  try {
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
      const { rows } = await client.query(
        "SELECT n_dead_tup::int AS dead FROM pg_stat_user_tables WHERE relname = 'orders'",
      );
      if (rows[0]?.dead === dead) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`the statistics of ${database} never counted ${dead} dead tuples`);
  } finally {
    await client.end();
  }
}

const available = await serverAvailable('postgres');

describe.skipIf(!available)('the PostgreSQL health pack, as a login with exactly its header grants', () => {
  const header = readPackHeader(PACK);
  const database = uniqueName('chasm_health');
  const inactiveSlot = uniqueName('chasm_health_slot');
  let admin: AdminConnection;
  let login: PasswordLogin;
  let holder: pg.Client;
  let waiter: pg.Client;
  let blocked: Promise<unknown>;
  let outcome: FanoutOutcome;

  beforeAll(async () => {
    admin = await connectAdmin('postgres');
    login = await createPasswordLogin('postgres');
    for (const grant of header.grants) await login.admin.query(grant.replaceAll(PACK_USER, login.user));
    // a slot that keeps WAL from now on (temporary: it goes with the admin's session), and an
    // inactive one that keeps none
    await admin.query('SELECT pg_create_physical_replication_slot($1, true, true)', [
      uniqueName('chasm_health_temp'),
    ]);
    await admin.query('SELECT pg_create_physical_replication_slot($1)', [inactiveSlot]);
    await admin.query(`CREATE DATABASE ${database}`);
    // 500 of 1,000 rows deleted, never vacuumed; a session's statistics reach the server when it ends
    const seeder = await adminClient(database);
    await seeder.query('CREATE TABLE orders (id int PRIMARY KEY, v int) WITH (autovacuum_enabled = off)');
    await seeder.query('INSERT INTO orders SELECT g, 0 FROM generate_series(1, 1000) AS g');
    await seeder.query('DELETE FROM orders WHERE id > 500');
    await seeder.end();
    await deadTuplesCounted(database, 500);
    // an idle transaction holding a row lock, and a session waiting for it
    holder = await adminClient(database);
    await holder.query('BEGIN');
    await holder.query('UPDATE orders SET v = 1 WHERE id = 1');
    waiter = await adminClient(database);
    blocked = waiter.query('UPDATE orders SET v = 2 WHERE id = 1').catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 1200));

    outcome = await runPack(packConfigAt(PACK, login.url(database)));
  });

  afterAll(async () => {
    await holder?.query('ROLLBACK');
    await blocked;
    await Promise.all([holder?.end(), waiter?.end()]);
    await admin?.query(
      'SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1',
      [inactiveSlot],
    );
    await admin?.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await login?.drop();
    await admin?.end();
  });

  it('runs every probe ok, with no warning that the user could write', () => {
    expect(outcome.reports.filter((report) => !report.ok)).toEqual([]);
    expect(outcome.reports.map((report) => report.probe).sort()).toEqual([
      'blocked-sessions',
      'connections-by-state',
      'dead-tuples',
      'replication-slots',
      'sessions',
      'wraparound',
    ]);
    expect(outcome.warnings).toBeUndefined();
  });

  it('publishes every metric as a finite number in its unit, every state of the fixed list once', () => {
    for (const datum of outcome.metrics) {
      expect(Number.isFinite(datum.Value), seriesKey(datum)).toBe(true);
      expect(datum.Unit, datum.MetricName).toBe(UNITS[datum.MetricName as keyof typeof UNITS]);
    }
    expect(new Set(outcome.metrics.map((datum) => datum.MetricName))).toEqual(new Set(Object.keys(UNITS)));
    const states = outcome.metrics
      .filter((datum) => datum.MetricName === 'ConnectionsByState')
      .map((datum) => datum.Dimensions.map((d) => `${d.Name}=${d.Value}`).join());
    expect(states.sort()).toEqual(STATES.map((state) => `State=${state}`).sort());
  });

  it('stays within the series and the monthly cost its header states, which are what chasm plan says', () => {
    const config = packConfigAt(PACK, login.url(database));
    const series = new Set(outcome.metrics.map(seriesKey));
    expect(series.size).toBeLessThanOrEqual(header.series);
    expect(header.series).toBe(countSeries(config).max);
    expect(header.monthlyUsd).toBe(estimateCost(buildPlan(config)).maxTotalUsd.toFixed(2));
  });

  it('sees the held transaction, the blocked session, the dead tuples and the slots', () => {
    const { metrics } = outcome;
    expect(datumValue(metrics, 'LongestIdleInTransaction')).toBeGreaterThanOrEqual(1);
    expect(datumValue(metrics, 'OldestTransaction')).toBeGreaterThanOrEqual(1);
    expect(datumValue(metrics, 'LongestRunningQuery')).toBeGreaterThanOrEqual(1);
    expect(datumValue(metrics, 'BlockedSessions')).toBeGreaterThanOrEqual(1);
    expect(datumValue(metrics, 'LongestLockWait')).toBeGreaterThanOrEqual(1);
    expect(
      datumValue(metrics, 'ConnectionsByState', { Name: 'State', Value: 'idle in transaction' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      datumValue(metrics, 'ConnectionsByState', { Name: 'State', Value: 'active' }),
    ).toBeGreaterThanOrEqual(1);
    // the only table of the database: 500 dead of 1,000
    expect(datumValue(metrics, 'MaxDeadTuples')).toBe(500);
    expect(datumValue(metrics, 'MaxDeadTuplePercent')).toBe(50);
    expect(datumValue(metrics, 'ReplicationSlotRetainedWal')).toBeGreaterThan(0);
    expect(datumValue(metrics, 'InactiveReplicationSlots')).toBeGreaterThanOrEqual(1);
    expect(datumValue(metrics, 'TransactionIdAge')).toBeGreaterThan(0);
    expect(datumValue(metrics, 'ProbesFailed')).toBe(0);
  });

  it('needs pg_monitor: without it, the idle transaction another user holds goes unseen', async () => {
    // arrange
    const bare = await createPasswordLogin('postgres');
    try {
      // act
      const without = await runPack(packConfigAt(PACK, bare.url(database)));

      // assess
      expect(without.reports.filter((report) => !report.ok)).toEqual([]);
      // its own sessions are idle in a transaction only between statements
      expect(datumValue(without.metrics, 'LongestIdleInTransaction')).toBeLessThan(1);
    } finally {
      await bare.drop();
    }
  });
});
