// chasm doctor against moto's EC2, RDS, Secrets Manager, SNS and IAM, seeded through the SDK's
// own clients: each seeded fault is found at its key, and a correct setup passes.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { CreateDBInstanceCommand, CreateDBSubnetGroupCommand, RDSClient } from '@aws-sdk/client-rds';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runChasm } from '../support/chasm-process.js';
import {
  type AccessKey,
  createMotoAdmin,
  createMotoUser,
  type MotoServer,
  motoAvailable,
  startMotoServer,
} from '../support/moto-server.js';
import { runCli } from '../support/run-cli.js';

const REGION = 'eu-west-1';
const PORT = 5432;

/** What beforeAll seeded in moto. */
interface Seeded {
  readonly vpcId: string;
  readonly subnetIds: readonly [string, string];
  /** a subnet of another VPC */
  readonly straySubnetId: string;
  /** the query function's security group, admitted by the database's */
  readonly functionGroupId: string;
  /** an instance with IAM auth on, whose security group admits the function's on 5432 */
  readonly sessions: { readonly host: string; readonly resourceId: string };
  /** the same, with IAM auth off */
  readonly noIam: { readonly host: string };
  /** IAM auth on, but its security group admits the function's on 3306 only */
  readonly closed: { readonly host: string };
  readonly secretArn: string;
  readonly topicArn: string;
}

interface Check {
  readonly check: string;
  readonly ok: boolean;
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly message: string;
}

const available = motoAvailable('chasm doctor against moto');

describe.skipIf(!available)('chasm doctor against moto', () => {
  let moto: MotoServer;
  let admin: AccessKey;
  let seeded: Seeded;
  let dir: string;
  const saved = { ...process.env };

  beforeAll(async () => {
    moto = await startMotoServer({ iam: true });
    admin = await createMotoAdmin(moto.endpoint);
    seeded = await seed(moto.endpoint, admin);
    dir = mkdtempSync(join(tmpdir(), 'chasm-doctor-'));
    // only what the test sets: no profile or config file of the machine's
    for (const name of Object.keys(process.env)) if (name.startsWith('AWS_')) delete process.env[name];
    Object.assign(process.env, awsEnv(moto.endpoint, admin, dir));
  }, 120_000);
  afterAll(async () => {
    for (const name of Object.keys(process.env)) if (name.startsWith('AWS_')) delete process.env[name];
    Object.assign(process.env, saved);
    await moto?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function writeProbes(name: string, text: string): string {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  }

  async function doctorJson(file: string): Promise<{ status: number; checks: Check[]; region: string }> {
    const out = await runCli('doctor', file, '--json');
    expect(out.stderr).toBe('');
    const document = JSON.parse(out.stdout) as { region: string; checks: Check[] };
    return { status: out.status, ...document };
  }

  it('passes a correct setup: every check ok, exit 0', async () => {
    const text = probesYaml(seeded);
    const file = writeProbes('correct.yaml', text);

    const { status, checks, region } = await doctorJson(file);

    expect(checks.filter((check) => !check.ok)).toEqual([]);
    expect(status).toBe(0);
    expect(region).toBe(REGION);
    expect(new Set(checks.map((check) => check.check))).toEqual(
      new Set([
        'vpc',
        'subnet',
        'securityGroup',
        'endpoint',
        'port',
        'ingress',
        'egress',
        'iamAuth',
        'resourceId',
        'secret',
        'alarmTopic',
      ]),
    );
    expect(checks.find((check) => check.check === 'iamAuth')).toMatchObject({
      file,
      ...positionOf(text, 'iam }', '  sessions:'),
    });
  });

  it("finds a database whose security group does not admit the query function's on its port, at its vpc key", async () => {
    const text = probesYaml(seeded, { sessionsHost: seeded.closed.host });
    const file = writeProbes('closed.yaml', text);

    const { status, checks } = await doctorJson(file);

    expect(status).toBe(2);
    const failed = checks.filter((check) => !check.ok);
    expect(failed).toEqual([
      expect.objectContaining({ check: 'ingress', file, ...positionOf(text, 'app', '  sessions:') }),
    ]);
    expect(failed[0]?.message).toContain(`neither ${seeded.functionGroupId}`);
    expect(failed[0]?.message).toContain(`port ${PORT}`);
  });

  it('finds IAM database authentication off for auth: iam, at the auth type', async () => {
    const text = probesYaml(seeded, { sessionsHost: seeded.noIam.host });
    const file = writeProbes('no-iam.yaml', text);

    const out = await runCli('doctor', file);

    expect(out.status).toBe(2);
    const { line, col } = positionOf(text, 'iam }', '  sessions:');
    expect(out.stderr).toBe(
      `${file}:${line}:${col}: auth is iam, but IAM database authentication is off on DB instance 'no-iam'; ` +
        'turn it on (aws rds modify-db-instance --enable-iam-database-authentication)\n',
    );
    expect(out.stdout).toMatch(new RegExp(`^${regexEscape(file)}: 1 of \\d+ checks failed in ${REGION}\\n$`));
  });

  it('finds a subnet of another VPC, at that item of subnetIds', async () => {
    const text = probesYaml(seeded, { subnetIds: [seeded.subnetIds[0], seeded.straySubnetId] });
    const file = writeProbes('stray-subnet.yaml', text);

    const { status, checks } = await doctorJson(file);

    expect(status).toBe(2);
    const failed = checks.filter((check) => !check.ok);
    expect(failed).toEqual([
      expect.objectContaining({ check: 'subnet', file, ...positionOf(text, seeded.straySubnetId, '  app:') }),
    ]);
    expect(failed[0]?.message).toContain(`not in ${seeded.vpcId}`);
  });

  it('finds a secret that does not exist, at its secretArn', async () => {
    const missing = `arn:aws:secretsmanager:${REGION}:123456789012:secret:chasm/missing-AbCdEf`;
    const text = probesYaml(seeded, { secretArn: missing });
    const file = writeProbes('missing-secret.yaml', text);

    const { status, checks } = await doctorJson(file);

    expect(status).toBe(2);
    expect(checks.filter((check) => !check.ok)).toEqual([
      expect.objectContaining({
        check: 'secret',
        file,
        message: `no secret ${missing} in ${REGION}`,
        ...positionOf(text, missing),
      }),
    ]);
  });

  it('reports a check it may not make as failed, naming the permission the credentials lack', async () => {
    const text = probesYaml(seeded);
    const file = writeProbes('denied.yaml', text);
    const limited = await createMotoUser(moto.endpoint, admin, 'doctor-without-rds-instances', [
      'ec2:Describe*',
      'rds:DescribeDBClusters',
      'secretsmanager:DescribeSecret',
      'secretsmanager:GetSecretValue',
      'sns:GetTopicAttributes',
    ]);

    const out = await doctorProcess([file, '--json'], awsEnv(moto.endpoint, limited, dir));

    expect(out.status).toBe(2);
    const { checks } = JSON.parse(out.stdout) as { checks: Check[] };
    const endpoint = checks.find((check) => check.check === 'endpoint');
    expect(endpoint).toMatchObject({ ok: false, ...positionOf(text, seeded.sessions.host) });
    expect(endpoint?.message).toContain('your credentials may not call rds:DescribeDBInstances');
  });

  it('refuses to run without a region, saying how to set one (exit 1)', async () => {
    const file = writeProbes('no-region.yaml', probesYaml(seeded));
    const env = without(awsEnv(moto.endpoint, admin, dir), 'AWS_REGION');

    const out = await doctorProcess([file], env);

    expect(out.status).toBe(1);
    expect(out.stderr).toContain('chasm doctor: no AWS region: pass --region REGION, set AWS_REGION');
    expect(out.stdout).toBe('');
  });

  it('takes the region and credentials of --profile from the config files', async () => {
    const file = writeProbes('profile.yaml', probesYaml(seeded));
    writeFileSync(join(dir, 'config'), `[profile doctor]\nregion = ${REGION}\n`);
    writeFileSync(
      join(dir, 'credentials'),
      `[doctor]\naws_access_key_id = ${admin.accessKeyId}\naws_secret_access_key = ${admin.secretAccessKey}\n`,
    );
    const env = without(
      awsEnv(moto.endpoint, admin, dir),
      'AWS_REGION',
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
    );

    const out = await doctorProcess([file, '--profile', 'doctor'], env);

    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
    expect(out.stdout).toMatch(/checks passed in eu-west-1\n$/);
  });

  it('exits 1 on a bad option or an invalid file, without asking AWS', async () => {
    const bad = await runCli('doctor', writeProbes('fine.yaml', probesYaml(seeded)), '--regio', 'x');
    const invalid = await runCli('doctor', writeProbes('invalid.yaml', 'version: 2\n'));
    const noValue = await runCli('doctor', join(dir, 'fine.yaml'), '--region');

    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("unknown option '--regio'");
    expect(invalid.status).toBe(1);
    expect(invalid.stderr).toMatch(/invalid\.yaml:1:\d+: /);
    expect(noValue.status).toBe(1);
    expect(noValue.stderr).toContain('--region needs a value');
  });
});

/** `chasm doctor ...args` as a process of its own, whose only AWS variables are `env`'s. */
function doctorProcess(args: readonly string[], env: Record<string, string>): ReturnType<typeof runChasm> {
  const inherited = Object.entries(process.env).filter(([name]) => name.startsWith('AWS_'));
  for (const [name] of inherited) delete process.env[name];
  try {
    // the SDK's notice about future Node.js versions is not the command's output
    return runChasm(['doctor', ...args], {
      env: { ...env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
  } finally {
    Object.assign(process.env, Object.fromEntries(inherited));
  }
}

function without(env: Record<string, string>, ...names: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !names.includes(name)));
}

/** The environment of a doctor run against moto: its endpoint, `key`, the region, no machine files. */
function awsEnv(endpoint: string, key: AccessKey, dir: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: key.accessKeyId,
    AWS_SECRET_ACCESS_KEY: key.secretAccessKey,
    AWS_REGION: REGION,
    AWS_CONFIG_FILE: join(dir, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
  };
}

/**
 * A probes.yaml for the seeded account: database `sessions` in VPC `app` (which names its own
 * security group), `reports` in VPC `fresh` (whose security group the stack would create); `changes`
 * swap in a fault.
 */
function probesYaml(
  seeded: Seeded,
  changes: { sessionsHost?: string; subnetIds?: readonly string[]; secretArn?: string } = {},
): string {
  const sessionsHost = changes.sessionsHost ?? seeded.sessions.host;
  // the resource id is the seeded sessions instance's: named only with it
  const resourceId =
    sessionsHost === seeded.sessions.host ? `    resourceId: ${seeded.sessions.resourceId}\n` : '';
  return `version: 1
namespace: Chasm/DoctorTest
alarms:
  topicArn: ${seeded.topicArn}
vpcs:
  app:
    vpcId: ${seeded.vpcId}
    subnetIds: [${(changes.subnetIds ?? seeded.subnetIds).join(', ')}]
    securityGroupIds: [${seeded.functionGroupId}]
  fresh:
    vpcId: ${seeded.vpcId}
    subnetIds: [${seeded.subnetIds[0]}]
    cidrBlocks: [10.0.0.0/16]
databases:
  sessions:
    engine: postgres
    vpc: app
    host: ${sessionsHost}
    database: app
    user: metrics_reader
    auth: { type: iam }
${resourceId}  reports:
    engine: postgres
    vpc: fresh
    host: ${seeded.sessions.host}
    database: app
    user: metrics_reader
    auth: { type: secret, secretArn: ${changes.secretArn ?? seeded.secretArn} }
probes:
  active:
    database: sessions
    sql: SELECT 1 AS n
    metrics: [{ name: Active, column: n, unit: Count }]
`;
}

/** The 1-based line and column of the first `needle` after `anchor` in `text`. */
function positionOf(text: string, needle: string, anchor = ''): { line: number; col: number } {
  const offset = text.indexOf(needle, text.indexOf(anchor) + anchor.length);
  if (offset < 0) throw new Error(`'${needle}' is not in the text`);
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, col: (before.at(-1)?.length ?? 0) + 1 };
}

function regexEscape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Seeds moto: a VPC with two subnets, a stray subnet elsewhere, security groups, three instances, a secret, a topic. */
async function seed(endpoint: string, key: AccessKey): Promise<Seeded> {
  const options = { endpoint, region: REGION, credentials: key };
  const ec2 = new EC2Client(options);
  const rds = new RDSClient(options);
  const secrets = new SecretsManagerClient(options);
  const sns = new SNSClient(options);
  try {
    const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }))).Vpc?.VpcId ?? '';
    const subnet = async (vpc: string, cidr: string, zone: string) =>
      (
        await ec2.send(
          new CreateSubnetCommand({ VpcId: vpc, CidrBlock: cidr, AvailabilityZone: `${REGION}${zone}` }),
        )
      ).Subnet?.SubnetId ?? '';
    const subnetIds = [
      await subnet(vpcId, '10.0.1.0/24', 'a'),
      await subnet(vpcId, '10.0.2.0/24', 'b'),
    ] as const;
    const otherVpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.1.0.0/16' }))).Vpc?.VpcId ?? '';
    const straySubnetId = await subnet(otherVpc, '10.1.1.0/24', 'a');

    const group = async (name: string) =>
      (await ec2.send(new CreateSecurityGroupCommand({ GroupName: name, Description: name, VpcId: vpcId })))
        .GroupId ?? '';
    const functionGroupId = await group('query-function');
    const openGroup = await group('database-open');
    const closedGroup = await group('database-closed');
    const admit = (groupId: string, port: number, source: { group?: string; cidr?: string }) =>
      ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: groupId,
          IpPermissions: [
            {
              IpProtocol: 'tcp',
              FromPort: port,
              ToPort: port,
              ...(source.group ? { UserIdGroupPairs: [{ GroupId: source.group }] } : {}),
              ...(source.cidr ? { IpRanges: [{ CidrIp: source.cidr }] } : {}),
            },
          ],
        }),
      );
    await admit(openGroup, PORT, { group: functionGroupId });
    // VPC fresh's query function gets its security group at deploy: admitted by its subnet's block
    await admit(openGroup, PORT, { cidr: '10.0.1.0/24' });
    await admit(closedGroup, 3306, { group: functionGroupId });

    await rds.send(
      new CreateDBSubnetGroupCommand({
        DBSubnetGroupName: 'doctor',
        DBSubnetGroupDescription: 'doctor test',
        SubnetIds: [...subnetIds],
      }),
    );
    const instance = async (id: string, groupId: string, iam: boolean) => {
      const created = await rds.send(
        new CreateDBInstanceCommand({
          DBInstanceIdentifier: id,
          DBInstanceClass: 'db.t3.micro',
          Engine: 'postgres',
          MasterUsername: 'admin_user',
          MasterUserPassword: 'not-a-real-password',
          AllocatedStorage: 20,
          Port: PORT,
          DBSubnetGroupName: 'doctor',
          VpcSecurityGroupIds: [groupId],
          EnableIAMDatabaseAuthentication: iam,
        }),
      );
      return {
        host: created.DBInstance?.Endpoint?.Address ?? '',
        resourceId: created.DBInstance?.DbiResourceId ?? '',
      };
    };
    const sessions = await instance('sessions', openGroup, true);
    const noIam = await instance('no-iam', openGroup, false);
    const closed = await instance('closed', closedGroup, true);

    const secretArn =
      (
        await secrets.send(
          new CreateSecretCommand({
            Name: 'chasm/reports',
            SecretString: JSON.stringify({ username: 'metrics_reader', password: 'not-a-real-password' }),
          }),
        )
      ).ARN ?? '';
    const topicArn = (await sns.send(new CreateTopicCommand({ Name: 'chasm-alarms' }))).TopicArn ?? '';
    return { vpcId, subnetIds, straySubnetId, functionGroupId, sessions, noIam, closed, secretArn, topicArn };
  } finally {
    for (const client of [ec2, rds, secrets, sns]) client.destroy();
  }
}
