// examples/packs/mysql-health.yaml against the real MariaDB (or MySQL), logged in as a password
// login holding exactly the grants the pack's header lists, with an old read view, a row lock held
// and a statement waiting for it, so its values are not all zero.
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countSeries } from '../../core/plan/billed-series.js';
import { estimateCost } from '../../core/plan/cost-model.js';
import { buildPlan } from '../../core/plan/plan.js';
import type { FanoutOutcome } from '../../core/run/fan-out.js';
import {
  type AdminConnection,
  connectAdmin,
  createPasswordLogin,
  MYSQL_URL,
  type PasswordLogin,
  serverAvailable,
  uniqueName,
} from '../support/databases.js';
import { PACKS_DIR } from '../support/example-files.js';
import { datumValue, PACK_USER, packConfigAt, readPackHeader, runPack, seriesKey } from './health-pack.js';

const PACK = join(PACKS_DIR, 'mysql-health.yaml');

/** every metric the pack publishes, with its unit */
const UNITS = {
  LongestRunningStatement: 'Seconds',
  ThreadsRunning: 'Count',
  HistoryListLength: 'Count',
  OldestTransaction: 'Seconds',
  LockWaits: 'Count',
  LongestLockWait: 'Seconds',
  ReplicaLag: 'Seconds',
  ProbesFailed: 'Count',
};

/** the pack connects to information_schema, where every user may */
const DATABASE = 'information_schema';

const available = await serverAvailable('mysql');

describe.skipIf(!available)('the MySQL health pack, as a login with exactly its header grants', () => {
  const header = readPackHeader(PACK);
  const table = uniqueName('chasm_health');
  let admin: AdminConnection;
  let login: PasswordLogin;
  let reader: mysql.Connection;
  let holder: mysql.Connection;
  let waiter: mysql.Connection;
  let waiting: Promise<unknown>;
  let replica: boolean;
  let outcome: FanoutOutcome;

  beforeAll(async () => {
    admin = await connectAdmin('mysql');
    login = await createPasswordLogin('mysql');
    for (const grant of header.grants) await login.admin.query(grant.replaceAll(PACK_USER, login.user));
    replica = (await admin.query('SHOW REPLICA STATUS')).length > 0;
    await admin.query(`CREATE TABLE ${table} (id int PRIMARY KEY, v int) ENGINE = InnoDB`);
    await admin.query(`INSERT INTO ${table} VALUES (1, 0), (2, 0)`);
    // a read view older than 20 committed updates: purge must keep their undo records
    reader = await mysql.createConnection(MYSQL_URL);
    await reader.query('START TRANSACTION WITH CONSISTENT SNAPSHOT');
    for (let i = 0; i < 20; i++) await admin.query(`UPDATE ${table} SET v = v + 1`);
    // a row lock held in an open transaction, and a statement waiting for it
    holder = await mysql.createConnection(MYSQL_URL);
    await holder.query('START TRANSACTION');
    await holder.query(`UPDATE ${table} SET v = v + 1 WHERE id = 1`);
    waiter = await mysql.createConnection(MYSQL_URL);
    waiting = waiter.query(`UPDATE ${table} SET v = v + 1 WHERE id = 1`).catch((error: unknown) => error);
    // the server counts these ages in whole seconds
    await new Promise((resolve) => setTimeout(resolve, 1500));

    outcome = await runPack(packConfigAt(PACK, login.url(DATABASE)));
  });

  afterAll(async () => {
    await holder?.query('ROLLBACK');
    await waiting;
    await reader?.query('COMMIT');
    await Promise.all([holder?.end(), waiter?.end(), reader?.end()]);
    await admin?.query(`DROP TABLE IF EXISTS ${table}`);
    await login?.drop();
    await admin?.end();
  });

  it('runs every probe ok, with no warning that the user could write', () => {
    expect(outcome.reports.filter((report) => !report.ok)).toEqual([]);
    expect(outcome.reports.map((report) => report.probe).sort()).toEqual([
      'innodb',
      'lock-waits',
      'replica-lag',
      'statements',
    ]);
    expect(outcome.warnings).toBeUndefined();
  });

  it('publishes every metric as a finite number in its unit; ReplicaLag only on a replica', () => {
    for (const datum of outcome.metrics) {
      expect(Number.isFinite(datum.Value), seriesKey(datum)).toBe(true);
      expect(datum.Unit, datum.MetricName).toBe(UNITS[datum.MetricName as keyof typeof UNITS]);
      expect(datum.Dimensions).toEqual([]);
    }
    const expected = Object.keys(UNITS).filter((name) => replica || name !== 'ReplicaLag');
    expect(outcome.metrics.map((datum) => datum.MetricName).sort()).toEqual(expected.sort());
    const lag = outcome.reports.find((report) => report.probe === 'replica-lag');
    if (!replica) expect(lag?.rows).toBe(0);
  });

  it('stays within the series and the monthly cost its header states, which are what chasm plan says', () => {
    const config = packConfigAt(PACK, login.url(DATABASE));
    const series = new Set(outcome.metrics.map(seriesKey));
    expect(series.size).toBeLessThanOrEqual(header.series);
    expect(header.series).toBe(countSeries(config).max);
    expect(header.monthlyUsd).toBe(estimateCost(buildPlan(config)).maxTotalUsd.toFixed(2));
  });

  it('sees the old read view, the held lock and the statement waiting for it', () => {
    const { metrics } = outcome;
    expect(datumValue(metrics, 'HistoryListLength')).toBeGreaterThanOrEqual(20);
    expect(datumValue(metrics, 'OldestTransaction')).toBeGreaterThanOrEqual(1);
    expect(datumValue(metrics, 'LockWaits')).toBeGreaterThanOrEqual(1);
    expect(datumValue(metrics, 'LongestLockWait')).toBeGreaterThanOrEqual(1);
    expect(datumValue(metrics, 'LongestRunningStatement')).toBeGreaterThanOrEqual(1);
    expect(datumValue(metrics, 'ThreadsRunning')).toBeGreaterThanOrEqual(1);
    expect(datumValue(metrics, 'ProbesFailed')).toBe(0);
  });

  it('needs each grant: without PROCESS the InnoDB probes fail, without the replica grant replica-lag does', async () => {
    const failing: Record<string, string[]> = {};
    for (const left of header.grants) {
      // arrange: a login with every grant of the header but one
      const partial = await createPasswordLogin('mysql');
      try {
        for (const grant of header.grants.filter((other) => other !== left)) {
          await partial.admin.query(grant.replaceAll(PACK_USER, partial.user));
        }

        // act
        const without = await runPack(packConfigAt(PACK, partial.url(DATABASE)));
        failing[/^GRANT (.+?) ON/.exec(left)?.[1] ?? left] = without.reports
          .filter((report) => !report.ok && report.error?.code === 'QUERY_FAILED')
          .map((report) => report.probe);
      } finally {
        await partial.drop();
      }
    }

    // assess
    expect(failing).toEqual({ PROCESS: ['innodb', 'lock-waits'], 'REPLICA MONITOR': ['replica-lag'] });
  });
});
