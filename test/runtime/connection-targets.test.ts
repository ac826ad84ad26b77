import { describe, expect, it, onTestFinished } from 'vitest';
import { deployedTarget, openEnginePool } from '../../adapters/database-pools.js';
import { sqlDialectOf } from '../../adapters/engines/engine-registry.js';
import { localConnection } from '../../adapters/local-targets.js';
import type { DatabaseConfig, ServerDatabaseConfig } from '../../core/model.js';
import type { DatabaseCredentials } from '../../core/ports.js';
import { ProbeError } from '../../core/probe-error.js';
import { createQueryFunction } from '../../core/run/query-function.js';
import { dataApiDatabase, database, probe } from '../support/config-factory.js';
import { createReaderLogin, serverAvailable } from '../support/databases.js';

function full(draft: Partial<ServerDatabaseConfig>): DatabaseConfig {
  return { ...database({ name: 'sessions' }), ...draft };
}

describe('localConnection', () => {
  it('takes the engine from a local URL’s scheme', () => {
    const local = localConnection(
      full({
        engine: 'postgres',
        local: { url: 'mariadb://metrics_reader:local-secret@127.0.0.1:3306/test' },
      }),
    );
    expect(local).toEqual({
      engine: 'mysql',
      target: {
        kind: 'url',
        url: 'mariadb://metrics_reader:local-secret@127.0.0.1:3306/test',
        maxConnections: 2,
      },
    });
  });

  it('serves a pglite block with the embedded engine, seeded from its init file', () => {
    const local = localConnection(full({ local: { pglite: { init: '/project/seed.sql' } } }));
    expect(local).toEqual({ engine: 'pglite', target: { kind: 'pglite', init: '/project/seed.sql' } });
  });

  it('connects an env-auth database without a local block to its own host with the variable’s password', async () => {
    const local = localConnection(
      full({ host: 'localhost', port: 5433, auth: { type: 'env', passwordEnv: 'DB_PASSWORD' }, tls: false }),
      { DB_PASSWORD: 'hunter2' },
    );
    expect(local.engine).toBe('postgres');
    expect(local.target).toMatchObject({ kind: 'server', host: 'localhost', port: 5433, tls: 'disable' });
    expect(local.target.kind === 'server' && (await local.target.login())).toEqual({
      user: 'metrics_reader',
      password: 'hunter2',
    });
  });

  it('reaches a Data API database without a local block through the Data API, and uses its local block when it has one', () => {
    const orders = dataApiDatabase({ name: 'orders', engine: 'mysql', maxConnections: 3 });

    expect(localConnection(orders)).toEqual({
      engine: 'mysql-data-api',
      target: {
        kind: 'data-api',
        resourceArn: 'arn:aws:rds:eu-west-1:123456789012:cluster:orders',
        secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders-reader',
        database: 'app',
        maxConnections: 3,
      },
    });
    expect(localConnection({ ...orders, local: { url: 'mysql://root@127.0.0.1:3306/test' } }).engine).toBe(
      'mysql',
    );
  });

  it('refuses an iam database without a local block with CONNECTION_FAILED saying what to add', () => {
    expect(() => localConnection(full({ auth: { type: 'iam' } }))).toThrow(
      new ProbeError(
        'CONNECTION_FAILED',
        "database 'sessions' has no local: block and auth: iam works only when deployed; add local: { url: ... } or local: { pglite: { init: ./seed.sql } } to it in probes.yaml to run it locally",
      ),
    );
  });
});

describe('deployedTarget', () => {
  it('hands a Data API database on as its cluster and secret ARNs, never asking for credentials', () => {
    const target = deployedTarget(
      dataApiDatabase({ name: 'orders' }),
      () => {
        throw new Error('the Data API reads the secret itself');
      },
      {},
    );

    expect(target).toEqual({
      kind: 'data-api',
      resourceArn: 'arn:aws:rds:eu-west-1:123456789012:cluster:orders',
      secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders-reader',
      database: 'app',
      maxConnections: 2,
    });
  });

  it('signs an RDS IAM token for the host, port and user, reused for the next connection', async () => {
    // arrange
    const env = {
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
    };
    const target = deployedTarget(
      database({ name: 'db', host: 'db.example.com', port: 5432 }),
      () => undefined,
      { env },
    );
    // act
    const first = target.kind === 'server' ? (await target.login()).password : '';
    const second = target.kind === 'server' ? (await target.login()).password : '';
    // assess
    expect(first).toMatch(
      /^db\.example\.com:5432\/\?Action=connect&DBUser=metrics_reader&X-Amz-Date=\d{8}T\d{6}Z/,
    );
    expect(first).toContain('X-Amz-Signature=');
    expect(second).toBe(first);
    expect(target).toMatchObject({ kind: 'server', tls: 'verify-full', maxConnections: 2 });
    expect(target.kind === 'server' && (await target.login()).user).toBe('metrics_reader');
  });

  it('reads the latest secret handed over, its username included, and fails clearly without one', async () => {
    // arrange
    let latest: DatabaseCredentials | undefined;
    const db = database({
      name: 'db',
      auth: { type: 'secret', secretArn: 'arn:aws:secretsmanager:eu-west-1:1:secret:x' },
    });
    const without = deployedTarget(db, () => latest, {});
    latest = { username: 'rotated_user', password: 'first' };
    const target = deployedTarget(db, () => latest, {});
    // act
    const before = target.kind === 'server' ? await target.login() : undefined;
    latest = { username: 'renamed_user', password: 'second' };
    const after = target.kind === 'server' ? await target.login() : undefined;
    latest = { password: 'third' };
    const withoutUser = target.kind === 'server' ? await target.login() : undefined;
    // assess
    expect([before, after, withoutUser]).toEqual([
      { user: 'rotated_user', password: 'first' },
      { user: 'renamed_user', password: 'second' },
      { user: 'metrics_reader', password: 'third' },
    ]);
    latest = undefined;
    await expect(async () => without.kind === 'server' && without.login()).rejects.toThrow(
      'no credentials were handed over for it (auth: secret)',
    );
  });
});

describe('query function credentials', () => {
  it('hands each pool the latest credentials a request brought, opening the pool once', async ({ skip }) => {
    if (!(await serverAvailable('postgres'))) skip();
    // arrange
    const reader = await createReaderLogin('postgres');
    onTestFinished(() => reader.drop());
    let opened = 0;
    let credentials: () => DatabaseCredentials | undefined = () => undefined;
    const run = createQueryFunction(
      {
        namespace: 'Acme/Test',
        publish: 'fanout',
        health: 'summary',
        databases: { db: database({ name: 'db', auth: { type: 'secret', secretArn: 'arn:x' } }) },
        probes: { p: probe({ name: 'p' }) },
      },
      {
        sqlDialect: sqlDialectOf,
        openPool: (_, given) => {
          opened++;
          credentials = given;
          return openEnginePool('postgres', reader.target(1));
        },
      },
    );
    // act
    const first = await run({ probes: ['p'], credentials: { db: { password: 'one' } } });
    const afterFirst = credentials();
    const second = await run({ probes: ['p'], credentials: { db: { password: 'two' } } });
    await run.close();
    // assess
    expect([...first.reports, ...second.reports].map((report) => report.ok)).toEqual([true, true]);
    expect(opened).toBe(1);
    expect(afterFirst).toEqual({ password: 'one' });
    expect(credentials()).toEqual({ password: 'two' });
  });
});
