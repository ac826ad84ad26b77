import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PUBLISH_RESERVE_MS } from '../../adapters/lambda/fanout-handler.js';
import { metric, vpc } from '../support/config-factory.js';
import {
  createReaderLogin,
  databasesAvailable,
  MYSQL_URL,
  mariadb,
  type PasswordLogin,
  uniqueName,
} from '../support/databases.js';
import {
  type AwsStack,
  comparable,
  serverDatabase,
  stackConfig,
  stackProbe,
  startAwsStack,
} from './aws-stack.js';

const available = await databasesAvailable();

const PG_SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:chasm-faults-pg';
// the PostgreSQL probe user: read-only, its password in the secret
let pgReader: PasswordLogin;
const pgDb = (name: string, vpcName: string) =>
  serverDatabase(name, pgReader.url(), {
    engine: 'postgres',
    vpc: vpcName,
    auth: { type: 'secret', secretArn: PG_SECRET },
  });
const pgSecretValue = () => ({
  [PG_SECRET]: JSON.stringify({ username: pgReader.user, password: pgReader.password }),
});

beforeAll(async () => {
  if (available) pgReader = await createReaderLogin('postgres');
});
afterAll(async () => {
  if (available) await pgReader.drop();
});

// 30 dimensions of ~1000 characters: about 31 KB of metric data per row
function wideProbe(name: string, rows: number) {
  const columns = Array.from(
    { length: 30 },
    (_, d) => `repeat('${String.fromCharCode(97 + (d % 26))}', 1000) || g AS d${d}`,
  );
  return stackProbe({
    name,
    database: 'wide',
    sql: `SELECT ${columns.join(', ')}, g AS n FROM generate_series(1, ${rows}) g`,
    maxSeries: 1000,
    dimensions: Object.fromEntries(
      Array.from({ length: 30 }, (_, d) => [`D${String(d).padStart(2, '0')}`, { column: `d${d}` }]),
    ),
    metrics: [metric({ name: `Wide${name.replace(/\W/g, '')}` })],
  });
}

describe.skipIf(!available)('fan-out faults', () => {
  describe('CloudWatch faults and bad values', () => {
    let stack: AwsStack;
    beforeAll(async () => {
      stack = await startAwsStack(
        stackConfig({
          vpcs: [vpc('app')],
          databases: [pgDb('pg', 'app')],
          probes: [
            stackProbe({
              name: 'series',
              database: 'pg',
              sql: 'SELECT g::text AS shard, g AS n FROM generate_series(1, 2500) g',
              maxSeries: 3000,
              maxRows: 3000,
              dimensions: { Shard: { column: 'shard' } },
              metrics: [metric({ name: 'ShardDepth' })],
            }),
            stackProbe({
              name: 'constant',
              database: 'pg',
              sql: 'SELECT 42 AS n',
              metrics: [metric({ name: 'Constant' })],
            }),
            stackProbe({
              name: 'broken-value',
              database: 'pg',
              sql: "SELECT 'Infinity'::float8 AS n",
              metrics: [metric({ name: 'Broken' })],
            }),
            stackProbe({
              name: 'cities',
              database: 'pg',
              sql: "SELECT city, 1 AS n FROM (VALUES ('Bern'), ('Zürich')) AS c(city)",
              dimensions: { City: { column: 'city' } },
              metrics: [metric({ name: 'Visits' })],
            }),
          ],
        }),
        pgSecretValue(),
      );
    });
    afterAll(() => stack.close());
    afterEach(() => {
      stack.cloudwatch.accepted.length = 0;
      stack.cloudwatch.requests.length = 0;
    });

    it('loses and duplicates nothing when CloudWatch throttles twice', async () => {
      stack.cloudwatch.throttle(2);

      const report = await stack.tick(['constant']);

      expect(report.publish).toEqual({ published: 2, failed: 0, errors: [] });
      expect(stack.cloudwatch.requests.map((r) => r.status)).toEqual([400, 400, 200]);
      expect(comparable(stack.cloudwatch.accepted)).toEqual(
        comparable([
          {
            Namespace: 'Chasm/Test',
            MetricName: 'Constant',
            Dimensions: [],
            Unit: 'Count',
            StorageResolution: 60,
            Value: 42,
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

    it('retries a 500 on one batch of several and publishes each datum once', async () => {
      stack.cloudwatch.failRequest(2);

      const report = await stack.tick(['series']);

      expect(report.publish).toEqual({ published: 2501, failed: 0, errors: [] });
      expect(stack.cloudwatch.requests.filter((r) => r.status === 500)).toHaveLength(1);
      expect(stack.cloudwatch.requests.filter((r) => r.status === 200)).toHaveLength(3);
      const shards = stack.cloudwatch.accepted.filter((d) => d.MetricName === 'ShardDepth');
      expect(shards).toHaveLength(2500);
      expect(new Set(shards.map((d) => d.Dimensions?.[0]?.Value)).size).toBe(2500);
    });

    it('invokes nothing when Lambda leaves no more than the publishing reserve, and still publishes health', async () => {
      const invokedBefore = stack.lambda.invocations.length;

      // the fan-out function's context says only the publishing reserve is left
      const report = await stack.fanout(
        { probes: ['constant'] },
        { getRemainingTimeInMillis: () => PUBLISH_RESERVE_MS },
      );

      expect(stack.lambda.invocations).toHaveLength(invokedBefore);
      expect(report.probes.map((p) => [p.probe, p.error?.code])).toEqual([['constant', 'INVOKE_FAILED']]);
      expect(report.probes[0]?.error?.message).toMatch(/was not invoked for it/);
      expect(stack.cloudwatch.accepted.map((d) => [d.MetricName, d.Value])).toEqual([['ProbesFailed', 1]]);
    });

    it('fails only the probe with an invalid value and publishes the others', async () => {
      const report = await stack.tick(['constant', 'broken-value']);

      expect(report.probes.map((p) => [p.probe, p.ok, p.error?.code])).toEqual([
        ['constant', true, undefined],
        ['broken-value', false, 'INVALID_VALUE'],
      ]);
      const names = stack.cloudwatch.accepted.map((d) => [d.MetricName, d.Value]);
      expect(names).toEqual(
        expect.arrayContaining([
          ['Constant', 42],
          ['ProbesFailed', 1],
        ]),
      );
      expect(names.map(([n]) => n)).not.toContain('Broken');
    });

    it('fails only the probe whose column gives a non-ASCII dimension value and publishes the other', async () => {
      const report = await stack.tick(['constant', 'cities']);

      expect(report.probes.map((p) => [p.probe, p.ok, p.error?.code])).toEqual([
        ['constant', true, undefined],
        ['cities', false, 'INVALID_VALUE'],
      ]);
      expect(report.probes[1]?.error?.message).toMatch(/dimension column 'city'/);
      expect(report.publish).toEqual({ published: 2, failed: 0, errors: [] });
      expect(stack.cloudwatch.accepted.map((d) => [d.MetricName, d.Value])).toEqual(
        expect.arrayContaining([
          ['Constant', 42],
          ['ProbesFailed', 1],
        ]),
      );
      expect(stack.cloudwatch.accepted.map((d) => d.MetricName)).not.toContain('Visits');
    });
  });

  describe('responses near 6 MiB', () => {
    let stack: AwsStack;
    beforeAll(async () => {
      stack = await startAwsStack(
        stackConfig({
          vpcs: [vpc('app')],
          databases: [pgDb('wide', 'app')],
          probes: [wideProbe('wide-one', 120), wideProbe('wide-two', 120), wideProbe('too-wide', 230)],
        }),
        pgSecretValue(),
      );
    });
    afterAll(() => stack.close());

    it('splits probes whose data cannot share one response and drops one too large alone as PAYLOAD_TOO_LARGE', async () => {
      const report = await stack.tick();

      // each ~3.7 MB: no two share an invocation, and the batches go out in the probes' order
      const invoked = stack.lambda.invocations.map((i) => (i.payload as { probes: string[] }).probes);
      expect(invoked).toEqual([['wide-one'], ['wide-two'], ['too-wide']]);
      expect(report.probes.map((p) => [p.probe, p.ok, p.error?.code])).toEqual([
        ['wide-one', true, undefined],
        ['wide-two', true, undefined],
        ['too-wide', false, 'PAYLOAD_TOO_LARGE'],
      ]);
      const counts = new Map<string, number>();
      for (const d of stack.cloudwatch.accepted)
        counts.set(d.MetricName, (counts.get(d.MetricName) ?? 0) + 1);
      expect(Object.fromEntries(counts)).toEqual({ Widewideone: 120, Widewidetwo: 120, ProbesFailed: 1 });
      expect(stack.cloudwatch.requests.every((r) => r.bodyBytes < 1_000_000 && r.datums <= 1000)).toBe(true);
    });
  });

  describe('a rotated secret', () => {
    const user = uniqueName('chasm_rot').slice(0, 32);
    const table = uniqueName('chasm_aws_rot');
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:chasm-rotation';
    const hosts = ['%', 'localhost', '127.0.0.1'];
    let stack: AwsStack;

    beforeAll(async () => {
      await mariadb(async (c) => {
        await c.query(`CREATE TABLE ${table} (n int)`);
        await c.query(`INSERT INTO ${table} VALUES (7)`);
        for (const host of hosts) {
          await c.query(`CREATE USER '${user}'@'${host}' IDENTIFIED BY 'first-password'`);
          await c.query(
            `GRANT SELECT ON ${new URL(MYSQL_URL).pathname.slice(1)}.${table} TO '${user}'@'${host}'`,
          );
        }
      });
      stack = await startAwsStack(
        stackConfig({
          vpcs: [vpc('app')],
          databases: [
            serverDatabase('rotating', MYSQL_URL, {
              engine: 'mysql',
              vpc: 'app',
              user,
              auth: { type: 'secret', secretArn: arn },
            }),
          ],
          probes: [
            stackProbe({
              name: 'rotating-value',
              database: 'rotating',
              sql: `SELECT n FROM ${table}`,
              metrics: [metric({ name: 'Rotating' })],
            }),
          ],
        }),
        { [arn]: JSON.stringify({ username: user, password: 'first-password' }) },
      );
    });
    afterAll(async () => {
      await stack?.close();
      await mariadb(async (c) => {
        for (const host of hosts) await c.query(`DROP USER IF EXISTS '${user}'@'${host}'`);
        await c.query(`DROP TABLE IF EXISTS ${table}`);
      });
    });

    it('reads the secret once while warm, then the rotated value after an authentication failure', async () => {
      const first = await stack.tick();
      const warm = await stack.tick();
      expect([first, warm].map((r) => r.probes[0]?.ok)).toEqual([true, true]);
      expect(stack.secrets.reads.get(arn)).toBe(1);

      // rotation: the database and the secret change; a cold query function connects anew
      await mariadb(async (c) => {
        for (const host of hosts)
          await c.query(`ALTER USER '${user}'@'${host}' IDENTIFIED BY 'second-password'`);
      });
      stack.secrets.put(arn, JSON.stringify({ username: user, password: 'second-password' }));
      await stack.coldStart();

      const stale = await stack.tick();
      const fresh = await stack.tick();

      expect(stale.probes[0]?.error?.code).toBe('CONNECTION_FAILED');
      expect(fresh.probes[0]).toMatchObject({ probe: 'rotating-value', ok: true });
      expect(stack.secrets.reads.get(arn)).toBe(2);
      expect(
        stack.cloudwatch.accepted.filter((d) => d.MetricName === 'Rotating').map((d) => d.Value),
      ).toEqual([7, 7, 7]);
      const payloads = JSON.stringify(stack.lambda.invocations.map((i) => i.payload));
      expect(payloads).toContain('second-password');
    });
  });
});
