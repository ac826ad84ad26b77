import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { metric, vpc } from '../support/config-factory.js';
import {
  createPasswordLogin,
  createReaderLogin,
  databasesAvailable,
  mariadb,
  type PasswordLogin,
  postgres,
  uniqueName,
} from '../support/databases.js';
import {
  type AwsStack,
  comparable,
  MYSQL_PASSWORD_ENV,
  serverDatabase,
  stackConfig,
  stackProbe,
  startAwsStack,
} from './aws-stack.js';

const available = await databasesAvailable();

const SESSIONS = uniqueName('chasm_aws_sessions');
const JOBS = uniqueName('chasm_aws_jobs');
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:chasm-test-pg';
// the probe users: read-only, and each needs its password (from the secret, or MYSQL_PASSWORD_ENV)
let pgReader: PasswordLogin;
let myReader: PasswordLogin;
const secretOf = (login: PasswordLogin) => JSON.stringify({ username: login.user, password: login.password });

beforeAll(async () => {
  if (!available) return;
  pgReader = await createReaderLogin('postgres');
  myReader = await createReaderLogin('mysql');
  await postgres(async (c) => {
    await c.query(`CREATE TABLE ${SESSIONS} (region text NOT NULL, n integer NOT NULL)`);
    await c.query(`INSERT INTO ${SESSIONS} VALUES ('eu', 3), ('us', 5), ('eu', 4)`);
  });
  await mariadb(async (c) => {
    await c.query(`CREATE TABLE ${JOBS} (state varchar(20) NOT NULL)`);
    await c.query(`INSERT INTO ${JOBS} VALUES ('queued'), ('queued'), ('running')`);
  });
});
afterAll(async () => {
  if (!available) return;
  await postgres((c) => c.query(`DROP TABLE IF EXISTS ${SESSIONS}`));
  await mariadb((c) => c.query(`DROP TABLE IF EXISTS ${JOBS}`));
  await pgReader.drop();
  await myReader.drop();
});

function sessionsDb(name: string, vpcName: string) {
  return serverDatabase(name, pgReader.url(), {
    engine: 'postgres',
    vpc: vpcName,
    auth: { type: 'secret', secretArn: SECRET_ARN },
  });
}
function jobsDb(name: string, vpcName: string) {
  return serverDatabase(name, myReader.url(), {
    engine: 'mysql',
    vpc: vpcName,
    auth: { type: 'env', passwordEnv: MYSQL_PASSWORD_ENV },
  });
}

const byRegion = (db: string) =>
  stackProbe({
    name: 'sessions-by-region',
    database: db,
    sql: `SELECT region, n FROM ${SESSIONS} ORDER BY region, n`,
    dimensions: { Region: { column: 'region' }, Env: { value: 'prod' } },
    metrics: [metric({ name: 'SessionsByRegion' })],
  });
const queued = (db: string) =>
  stackProbe({
    name: 'queued-jobs',
    database: db,
    sql: `SELECT count(*) AS n FROM ${JOBS} WHERE state = 'queued'`,
    metrics: [metric({ name: 'QueuedJobs' })],
  });

describe.skipIf(!available)(
  'fan-out end to end: SDK clients → local Lambda → query handlers → PostgreSQL and MariaDB → local CloudWatch',
  () => {
    describe('one VPC with both databases', () => {
      let stack: AwsStack;
      beforeAll(async () => {
        stack = await startAwsStack(
          stackConfig({
            vpcs: [vpc('app')],
            databases: [sessionsDb('sessions', 'app'), jobsDb('jobs', 'app')],
            probes: [byRegion('sessions'), queued('jobs')],
          }),
          { [SECRET_ARN]: secretOf(pgReader) },
          { [MYSQL_PASSWORD_ENV]: myReader.password },
        );
      });
      afterAll(() => stack.close());

      it('publishes exactly the expected datums with one invocation', async () => {
        const report = await stack.tick();

        expect(report.probes.map((p) => [p.probe, p.ok, p.rows])).toEqual([
          ['sessions-by-region', true, 3],
          ['queued-jobs', true, 1],
        ]);
        expect(report.publish).toEqual({ published: 4, failed: 0, errors: [] });
        // read-only users: nothing to warn about
        expect(report.warnings).toBeUndefined();
        expect(stack.lambda.invocations).toHaveLength(1);
        expect(stack.lambda.invocations[0]?.payload).toEqual({
          probes: ['sessions-by-region', 'queued-jobs'],
          credentials: { sessions: { username: pgReader.user, password: pgReader.password } },
        });
        expect(comparable(stack.cloudwatch.accepted)).toEqual(
          comparable([
            {
              Namespace: 'Chasm/Test',
              MetricName: 'SessionsByRegion',
              Dimensions: [
                { Name: 'Env', Value: 'prod' },
                { Name: 'Region', Value: 'eu' },
              ],
              Unit: 'Count',
              StorageResolution: 60,
              Values: [3, 4],
              Counts: [1, 1],
            },
            {
              Namespace: 'Chasm/Test',
              MetricName: 'SessionsByRegion',
              Dimensions: [
                { Name: 'Env', Value: 'prod' },
                { Name: 'Region', Value: 'us' },
              ],
              Unit: 'Count',
              StorageResolution: 60,
              Value: 5,
            },
            {
              Namespace: 'Chasm/Test',
              MetricName: 'QueuedJobs',
              Dimensions: [],
              Unit: 'Count',
              StorageResolution: 60,
              Value: 2,
            },
            {
              Namespace: 'Chasm/Test',
              MetricName: 'ProbesFailed',
              Dimensions: [],
              Unit: 'Count',
              StorageResolution: 60,
              Value: 0,
            },
          ]),
        );
      });
    });

    describe('a database whose user could write', () => {
      let stack: AwsStack;
      let writer: PasswordLogin;
      beforeAll(async () => {
        writer = await createPasswordLogin('postgres');
        await writer.admin.query(`GRANT SELECT, INSERT ON ${SESSIONS} TO ${writer.user}`);
        stack = await startAwsStack(
          stackConfig({
            vpcs: [vpc('app')],
            databases: [
              serverDatabase('sessions', writer.url(), {
                engine: 'postgres',
                vpc: 'app',
                auth: { type: 'secret', secretArn: SECRET_ARN },
              }),
            ],
            probes: [byRegion('sessions')],
          }),
          { [SECRET_ARN]: secretOf(writer) },
        );
      });
      afterAll(async () => {
        await stack.close();
        await writer.drop();
      });

      it("reports the warning in the fan-out's report, as chasm invoke prints it", async () => {
        const report = await stack.tick();

        expect(report.probes.map((p) => p.ok)).toEqual([true]);
        expect(report.warnings).toEqual([
          {
            database: 'sessions',
            code: 'WRITE_CAPABLE_USER',
            message: expect.stringContaining(`may INSERT, UPDATE, DELETE or TRUNCATE public.${SESSIONS}`),
          },
        ]);
      });
    });

    describe('three VPC groups', () => {
      let stack: AwsStack;
      beforeAll(async () => {
        stack = await startAwsStack(
          stackConfig({
            vpcs: [vpc('alpha'), vpc('beta'), vpc('gamma')],
            databases: [
              sessionsDb('sessions-a', 'alpha'),
              jobsDb('jobs-b', 'beta'),
              sessionsDb('sessions-c', 'gamma'),
            ],
            probes: [
              stackProbe({
                name: 'total-a',
                database: 'sessions-a',
                sql: `SELECT sum(n) AS n FROM ${SESSIONS}`,
                metrics: [metric({ name: 'TotalA' })],
              }),
              stackProbe({
                name: 'jobs-b',
                database: 'jobs-b',
                sql: `SELECT count(*) AS n FROM ${JOBS}`,
                metrics: [metric({ name: 'JobsB' })],
              }),
              stackProbe({
                name: 'regions-c',
                database: 'sessions-c',
                sql: `SELECT count(DISTINCT region) AS n FROM ${SESSIONS}`,
                metrics: [metric({ name: 'RegionsC' })],
              }),
            ],
            health: 'detailed',
          }),
          { [SECRET_ARN]: secretOf(pgReader) },
          { [MYSQL_PASSWORD_ENV]: myReader.password },
        );
      });
      afterAll(() => stack.close());
      afterEach(() => {
        stack.cloudwatch.accepted.length = 0;
        stack.lambda.invocations.length = 0;
        for (const fn of stack.plan.functions) stack.lambda.fault(fn.functionName, undefined);
      });

      it('invokes each VPC function once and publishes every datum exactly once', async () => {
        const report = await stack.tick();

        expect(report.probes.every((p) => p.ok)).toBe(true);
        expect(stack.lambda.invocations.map((i) => i.functionName).sort()).toEqual(
          stack.plan.functions.map((fn) => fn.functionName).sort(),
        );
        const values = stack.cloudwatch.accepted
          .filter((d) => !d.MetricName.startsWith('Probe'))
          .map((d) => [d.MetricName, d.Value])
          .sort();
        expect(values).toEqual([
          ['JobsB', 3],
          ['RegionsC', 2],
          ['TotalA', 12],
        ]);
        // detailed health: ProbesFailed + 3 per probe
        expect(stack.cloudwatch.accepted).toHaveLength(3 + 1 + 9);
        expect(new Set(comparable(stack.cloudwatch.accepted)).size).toBe(13);
      });

      it("reports one VPC's erroring function as INVOKE_FAILED and publishes all the others", async () => {
        const beta = stack.plan.functions.find((fn) => fn.vpc === 'beta');
        stack.lambda.fault(beta?.functionName ?? '', {
          error: 'Runtime.ImportModuleError: cannot load driver',
        });

        const report = await stack.tick();

        const failed = report.probes.filter((p) => !p.ok);
        expect(failed.map((p) => [p.probe, p.error?.code])).toEqual([['jobs-b', 'INVOKE_FAILED']]);
        expect(failed[0]?.error?.message).toMatch(/cannot load driver/);
        const names = stack.cloudwatch.accepted.map((d) => d.MetricName);
        expect(names).toContain('TotalA');
        expect(names).toContain('RegionsC');
        expect(names).not.toContain('JobsB');
        expect(stack.cloudwatch.accepted.find((d) => d.MetricName === 'ProbesFailed')?.Value).toBe(1);
      });

      it("reports one VPC's timed-out function as INVOKE_FAILED, invoked once, and publishes the others", async () => {
        const gamma = stack.plan.functions.find((fn) => fn.vpc === 'gamma');
        // beyond the probe timeout (5s) plus the invoke margin (1s)
        stack.lambda.fault(gamma?.functionName ?? '', { delayMs: 8000 });

        const report = await stack.tick();

        expect(report.probes.filter((p) => !p.ok).map((p) => [p.probe, p.error?.code])).toEqual([
          ['regions-c', 'INVOKE_FAILED'],
        ]);
        expect(stack.lambda.invocations.filter((i) => i.functionName === gamma?.functionName)).toHaveLength(
          1,
        );
        const names = stack.cloudwatch.accepted.map((d) => d.MetricName);
        expect(names).toEqual(expect.arrayContaining(['TotalA', 'JobsB']));
        expect(names).not.toContain('RegionsC');
      });
    });
  },
);
