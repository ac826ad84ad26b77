import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { invokeCommand } from '../../adapters/cli/invoke-command.js';
import { loadConfig } from '../../adapters/config-loader.js';
import { createReaderLogin, databasesAvailable, type PasswordLogin } from '../support/databases.js';
import {
  type LocalCloudFormation,
  startLocalCloudFormation,
} from '../support/local-aws/local-cloudformation.js';
import { captureCli } from '../support/run-cli.js';
import { type AwsStack, startAwsStack } from './aws-stack.js';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:chasm-invoke-AbCdEf';
/** the name CloudFormation gave the fan-out function, as the stack's output says */
const FANOUT = 'Chasm-Chasm-InvokeTest-ProbesFanoutLambdaFunction-Xy12Ab34Cd56';
/** the default stack name of namespace Chasm/InvokeTest */
const STACK = 'Chasm-Chasm-InvokeTest';

/** environment variables the tests change, restored after each */
const SAVED = [
  'AWS_ENDPOINT_URL_LAMBDA',
  'AWS_ENDPOINT_URL_CLOUDFORMATION',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
] as const;

const available = await databasesAvailable();

describe.skipIf(!available)('chasm invoke', () => {
  let dir: string;
  let file: string;
  let stack: AwsStack;
  let cloudformation: LocalCloudFormation;
  let saved: Record<string, string | undefined>;
  // the probe user: read-only, its password in the secret
  let reader: PasswordLogin;

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
    stack.lambda.register(FANOUT, stack.fanout);
    cloudformation = await startLocalCloudFormation();
    cloudformation.putStack(STACK, { FanoutFunctionName: FANOUT, DashboardUrl: 'https://example.com' });
    saved = Object.fromEntries(SAVED.map((name) => [name, process.env[name]]));
  });
  beforeEach(() => {
    process.env.AWS_ENDPOINT_URL_LAMBDA = stack.lambda.endpoint;
    process.env.AWS_ENDPOINT_URL_CLOUDFORMATION = cloudformation.endpoint;
  });
  afterEach(() => {
    for (const name of SAVED) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
    cloudformation.calls.length = 0;
    stack.lambda.invocations.length = 0;
  });
  afterAll(async () => {
    await Promise.all([stack.close(), cloudformation.close()]);
    await reader.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("invokes the fan-out function its stack's outputs name and prints its report as JSON, exiting 2 when a probe failed", async () => {
    const out = await captureCli((io) => invokeCommand.run([file, '--json'], io));

    expect(out.stderr).toBe('');
    expect(out.status).toBe(2);
    expect(cloudformation.calls.map((call) => call.stackName)).toEqual([STACK]);
    const report = JSON.parse(out.stdout);
    expect(report.probes.map((p: { probe: string; ok: boolean }) => [p.probe, p.ok])).toEqual([
      ['answer', true],
      ['broken', false],
    ]);
    expect(report.publish).toEqual({ published: 2, failed: 0, errors: [] });
    expect(stack.lambda.invocations[0]).toEqual({
      functionName: FANOUT,
      payload: { probes: ['answer', 'broken'] },
    });
    expect(stack.cloudwatch.accepted.map((d) => [d.MetricName, d.Value]).sort()).toEqual([
      ['Answer', 42],
      ['ProbesFailed', 1],
    ]);
  });

  it('prints a text report by default', async () => {
    const out = await captureCli((io) => invokeCommand.run([file], io));

    expect(out.stdout).toContain(`${FANOUT}:`);
    expect(out.stdout).toMatch(/ok +answer \(pg\) 1 rows/);
    expect(out.stdout).toMatch(/FAILED broken \(pg\) 0 rows, [\d.]+ ms {2}QUERY_FAILED/);
    expect(out.stdout).toContain('1 of 2 probes ok; 2 of 2 datums published.');
  });

  it('exits 1 when the function cannot be invoked', async () => {
    stack.lambda.fault(FANOUT, { error: 'boom' });
    const out = await captureCli((io) => invokeCommand.run([file], io));
    stack.lambda.fault(FANOUT, undefined);

    expect(out.status).toBe(1);
    expect(out.stderr).toMatch(/failed \(Unhandled\).*boom/);
  });

  it('looks in the stack --stack names, in the region --region names', async () => {
    // arrange: a second deployment of the same file; the environment names another region
    cloudformation.putStack('Chasm-Staging', { FanoutFunctionName: FANOUT });
    process.env.AWS_REGION = 'us-east-1';

    // act
    const out = await captureCli((io) =>
      invokeCommand.run([file, '--stack', 'Chasm-Staging', '--region=eu-west-1', '--json'], io),
    );

    // assess
    expect(out.stderr).toBe('');
    expect(cloudformation.calls).toEqual([
      { stackName: 'Chasm-Staging', region: 'eu-west-1', accessKeyId: 'AKIDLOCALTEST' },
    ]);
    expect(stack.lambda.invocations[0]?.functionName).toBe(FANOUT);
  });

  it('takes credentials and region from the profile --profile names', async () => {
    // arrange: a profile of its own in shared config files, no region in the environment
    const config = join(dir, 'config');
    const credentials = join(dir, 'credentials');
    writeFileSync(config, '[profile staging]\nregion = ap-southeast-2\n');
    writeFileSync(
      credentials,
      '[staging]\naws_access_key_id = AKIDSTAGING\naws_secret_access_key = staging-secret\n',
    );
    process.env.AWS_CONFIG_FILE = config;
    process.env.AWS_SHARED_CREDENTIALS_FILE = credentials;
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;

    // act
    const out = await captureCli((io) => invokeCommand.run([file, '--profile', 'staging', '--json'], io));

    // assess
    expect(out.stderr).toBe('');
    expect(cloudformation.calls).toEqual([
      { stackName: STACK, region: 'ap-southeast-2', accessKeyId: 'AKIDSTAGING' },
    ]);
  });

  it('says how to give a region when it finds none', async () => {
    // arrange: no region in the environment, the file or any profile
    process.env.AWS_CONFIG_FILE = join(dir, 'no-such-config');
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;

    // act
    const out = await captureCli((io) => invokeCommand.run([file], io));

    // assess
    expect(out.status).toBe(1);
    expect(out.stderr).toBe(
      'chasm invoke: no AWS region: pass --region, set region in the file, set AWS_REGION, or name a profile with a region (--profile)\n',
    );
    expect(cloudformation.calls).toEqual([]);
  });

  it('says the stack does not exist, where it looked, and how to name another', async () => {
    const out = await captureCli((io) => invokeCommand.run([file, '--stack', 'Chasm-Nowhere'], io));

    expect(out.status).toBe(1);
    expect(out.stderr).toBe(
      `chasm invoke: stack Chasm-Nowhere does not exist in eu-west-1: deploy ${file} (npx cdk deploy), or name its stack with --stack and its region with --region\n`,
    );
    expect(stack.lambda.invocations).toEqual([]);
  });

  it('refuses a region the file does not deploy to, at its ARN', async () => {
    const out = await captureCli((io) => invokeCommand.run([file, '--region', 'us-east-1'], io));

    expect(out.status).toBe(1);
    expect(out.stderr).toMatch(
      /probes\.yaml:\d+:\d+: secretArn '.*' is in region eu-west-1, but the stack deploys to us-east-1/,
    );
    expect(cloudformation.calls).toEqual([]);
  });

  it('exits 1 on a bad option', async () => {
    const out = await captureCli((io) => invokeCommand.run([file, '--fast'], io));

    expect(out.status).toBe(1);
    expect(out.stderr).toContain("unknown option '--fast'");
  });
});
