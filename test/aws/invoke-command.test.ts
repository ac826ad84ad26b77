import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invokeCommand } from '../../adapters/cli/invoke-command.js';
import { loadConfig } from '../../adapters/config-loader.js';
import { createReaderLogin, databasesAvailable, type PasswordLogin } from '../support/databases.js';
import { captureCli } from '../support/run-cli.js';
import { type AwsStack, startAwsStack } from './aws-stack.js';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:chasm-invoke-AbCdEf';

const available = await databasesAvailable();

describe.skipIf(!available)('chasm invoke', () => {
  let dir: string;
  let file: string;
  let stack: AwsStack;
  // the probe user: read-only, its password in the secret
  let reader: PasswordLogin;
  const saved = process.env.AWS_ENDPOINT_URL_LAMBDA;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'chasm-invoke-'));
    file = join(dir, 'probes.yaml');
    reader = await createReaderLogin('postgres');
    const pg = new URL(reader.url());
    writeFileSync(
      file,
      `version: 1
namespace: Chasm/InvokeTest
vpcs:
  app: { vpcId: vpc-0abc1234def567890, subnetIds: [subnet-0aaa1111bbbb2222c] }
databases:
  pg:
    engine: postgres
    vpc: app
    host: ${pg.hostname}
    port: ${pg.port}
    database: ${pg.pathname.slice(1)}
    user: ${reader.user}
    auth: { type: secret, secretArn: ${SECRET_ARN} }
    tls: false
probes:
  answer:
    database: pg
    sql: SELECT 42 AS n
    metrics: [{ name: Answer, column: n, unit: Count }]
  broken:
    database: pg
    sql: SELECT 1 AS n FROM no_such_table_here
    metrics: [{ name: Broken, column: n, unit: Count }]
`,
    );
    stack = await startAwsStack(loadConfig(file), {
      [SECRET_ARN]: JSON.stringify({ username: reader.user, password: reader.password }),
    });
    stack.lambda.register(stack.plan.fanoutFunctionName ?? 'missing', stack.fanout);
    process.env.AWS_ENDPOINT_URL_LAMBDA = stack.lambda.endpoint;
  });
  afterAll(async () => {
    if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_LAMBDA;
    else process.env.AWS_ENDPOINT_URL_LAMBDA = saved;
    await stack.close();
    await reader.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("invokes the plan's fan-out function and prints its report as JSON, exiting 2 when a probe failed", async () => {
    const out = await captureCli((io) => invokeCommand.run([file, '--json'], io));

    expect(out.stderr).toBe('');
    expect(out.status).toBe(2);
    const report = JSON.parse(out.stdout);
    expect(report.probes.map((p: { probe: string; ok: boolean }) => [p.probe, p.ok])).toEqual([
      ['answer', true],
      ['broken', false],
    ]);
    expect(report.publish).toEqual({ published: 2, failed: 0, errors: [] });
    expect(stack.lambda.invocations[0]).toEqual({
      functionName: stack.plan.fanoutFunctionName,
      payload: { probes: ['answer', 'broken'] },
    });
    expect(stack.cloudwatch.accepted.map((d) => [d.MetricName, d.Value]).sort()).toEqual([
      ['Answer', 42],
      ['ProbesFailed', 1],
    ]);
  });

  it('prints a text report by default', async () => {
    const out = await captureCli((io) => invokeCommand.run([file], io));

    expect(out.stdout).toContain(`${stack.plan.fanoutFunctionName}:`);
    expect(out.stdout).toMatch(/ok +answer \(pg\) 1 rows/);
    expect(out.stdout).toMatch(/FAILED broken \(pg\) 0 rows, [\d.]+ ms {2}QUERY_FAILED/);
    expect(out.stdout).toContain('1 of 2 probes ok; 2 of 2 datums published.');
  });

  it('exits 1 when the function cannot be invoked', async () => {
    stack.lambda.fault(stack.plan.fanoutFunctionName ?? '', { error: 'boom' });
    const out = await captureCli((io) => invokeCommand.run([file], io));
    stack.lambda.fault(stack.plan.fanoutFunctionName ?? '', undefined);

    expect(out.status).toBe(1);
    expect(out.stderr).toMatch(/failed \(Unhandled\).*boom/);
  });

  it('exits 1 on a bad option', async () => {
    const out = await captureCli((io) => invokeCommand.run([file, '--fast'], io));

    expect(out.status).toBe(1);
    expect(out.stderr).toContain("unknown option '--fast'");
  });
});
