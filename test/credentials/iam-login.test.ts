// `auth: iam` as deployed, against the real servers: a fixed clock and fixed credentials make the
// RDS IAM token predictable, so it can be made a login's password, as RDS would accept it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIamAuthToken } from '../../adapters/credentials/iam-auth-token.js';
import { deployedPoolOpener } from '../../adapters/database-pools.js';
import { sqlDialectOf } from '../../adapters/engines/engine-registry.js';
import type { QueryManifest } from '../../core/manifest.js';
import { queryManifest } from '../../core/plan/build-manifests.js';
import { buildPlan } from '../../core/plan/plan.js';
import { createQueryFunction } from '../../core/run/query-function.js';
import { config, database, metric, probe, vpc } from '../support/config-factory.js';
import {
  createPasswordLogin,
  type PasswordLogin,
  type Server,
  serverAvailable,
  uniqueName,
} from '../support/databases.js';

// what Lambda gives a function: temporary credentials, a session token and its region
const ENV = {
  AWS_ACCESS_KEY_ID: 'ASIACHASMTESTKEY',
  AWS_SECRET_ACCESS_KEY: 'chasm/test/secret+access/key',
  AWS_SESSION_TOKEN: 'IQoJb3JpZ2luX2VjEChasmTest/session+token==',
  AWS_REGION: 'eu-west-1',
};
const NOW = Date.UTC(2025, 5, 1, 12, 0, 0);
const A_MINUTE_LATER = NOW + 60_000;

describe.each<Server>(['postgres', 'mysql'])('auth: iam on %s', (server) => {
  let available = true;
  let login: PasswordLogin;
  let manifest: QueryManifest;
  const table = uniqueName('chasm_iam');

  beforeAll(async () => {
    available = await serverAvailable(server);
    if (!available) return;
    login = await createPasswordLogin(server);
    const target = login.target(1);
    if (target.kind !== 'server') throw new Error('a password login is a server target');
    const token = signIamAuthToken({ host: target.host, port: target.port, user: login.user }, ENV, NOW);
    // the token as the login's password, and a table it may read: all the probe needs
    if (server === 'postgres') {
      await login.admin.query(`ALTER ROLE ${login.user} PASSWORD '${token.replaceAll("'", "''")}'`);
      await login.admin.query(`CREATE TABLE ${table} (n int)`);
      await login.admin.query(`GRANT SELECT ON ${table} TO ${login.user}`);
    } else {
      await login.admin.query(`ALTER USER '${login.user}'@'%' IDENTIFIED BY ?`, [token]);
      await login.admin.query(`CREATE TABLE ${target.database}.${table} (n int)`);
      await login.admin.query(`GRANT SELECT ON ${target.database}.${table} TO '${login.user}'@'%'`);
    }
    await login.admin.query(`INSERT INTO ${table} VALUES (1), (2), (3)`);
    const deployed = config({
      vpcs: [vpc('app')],
      databases: [
        database({
          name: 'orders',
          engine: server,
          vpc: 'app',
          host: target.host,
          port: target.port,
          database: target.database,
          user: login.user,
          auth: { type: 'iam' },
          tls: false,
          maxConnections: 1,
        }),
      ],
      probes: [
        probe({
          name: 'order-count',
          database: 'orders',
          sql: `SELECT count(*) AS n FROM ${table}`,
          metrics: [metric({ name: 'Orders' })],
        }),
      ],
    });
    const [fn] = buildPlan(deployed).functions;
    if (!fn) throw new Error('the config plans no function');
    manifest = queryManifest(deployed, fn);
  });

  afterAll(async () => {
    if (!available) return;
    await login.admin.query(`DROP TABLE IF EXISTS ${table}`);
    await login.drop();
  });

  it('logs in with the IAM token the deployed query function signs, and returns the metric', async ({
    skip,
  }) => {
    if (!available) skip();
    // arrange
    const run = createQueryFunction(manifest, {
      sqlDialect: sqlDialectOf,
      openPool: deployedPoolOpener({ env: ENV, now: () => NOW }),
    });
    // act
    const response = await run({ probes: ['order-count'] });
    await run.close();
    // assess
    expect(response.reports).toEqual([
      expect.objectContaining({ probe: 'order-count', database: 'orders', ok: true, rows: 1 }),
    ]);
    expect(response.metrics).toEqual([
      { MetricName: 'Orders', Dimensions: [], Unit: 'Count', StorageResolution: 60, Value: 3 },
    ]);
    expect(response.warnings).toBeUndefined();
  });

  it('fails the probe with CONNECTION_FAILED when its token is signed a minute later', async ({ skip }) => {
    if (!available) skip();
    // arrange
    const run = createQueryFunction(manifest, {
      sqlDialect: sqlDialectOf,
      openPool: deployedPoolOpener({ env: ENV, now: () => A_MINUTE_LATER }),
    });
    // act
    const response = await run({ probes: ['order-count'] });
    await run.close();
    // assess
    expect(response.reports).toEqual([
      expect.objectContaining({
        probe: 'order-count',
        ok: false,
        error: {
          code: 'CONNECTION_FAILED',
          message: expect.stringMatching(/password authentication failed|Access denied/),
        },
      }),
    ]);
    expect(response.metrics).toEqual([]);
  });
});
