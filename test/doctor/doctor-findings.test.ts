import { describe, expect, it } from 'vitest';
import type { AwsFacts, Fact, RdsDatabase, SecretFacts } from '../../adapters/doctor/aws-facts.js';
import { type Finding, judgeConfig, secretValueProblem } from '../../adapters/doctor/doctor-findings.js';
import type { Config, ServerDatabaseConfig, VpcConfig } from '../../core/model.js';
import { config, dataApiDatabase, database, probe, vpc } from '../support/config-factory.js';

const REGION = 'eu-west-1';
const HOST = 'sessions.abc123.eu-west-1.rds.amazonaws.com';
const APP = vpc('app', { securityGroupIds: ['sg-fn'] });
const [SUBNET_A, SUBNET_B] = APP.subnetIds as [string, string];
const SECRET = `arn:aws:secretsmanager:${REGION}:123456789012:secret:chasm/sessions-AbCdEf`;
const TOPIC = `arn:aws:sns:${REGION}:123456789012:chasm-alarms`;

const known = <T>(value: T): Fact<T> => ({ known: true, value });
const denied = (action: string): Fact<never> => ({
  known: false,
  reason: `your credentials may not call ${action} (AccessDenied: no)`,
});

/** DB instance `sessions` at HOST, in the app VPC's database subnet, admitting sg-fn on 5432, IAM auth on. */
function instance(draft: Partial<RdsDatabase> = {}): RdsDatabase {
  return {
    kind: 'instance',
    id: 'sessions',
    endpoints: [HOST],
    port: 5432,
    iamAuth: true,
    resourceId: 'db-ABCDEF',
    securityGroupIds: ['sg-db'],
    subnetIds: ['subnet-db'],
    publiclyAccessible: false,
    ...draft,
  };
}

/** An account where the app VPC, its subnets, sg-fn and sg-db (admitting sg-fn on 5432) and the instance exist. */
function facts(draft: Partial<AwsFacts> = {}): AwsFacts {
  return {
    region: REGION,
    vpcIds: known(new Set([APP.vpcId])),
    subnets: known(
      new Map([
        [SUBNET_A, { id: SUBNET_A, vpcId: APP.vpcId, cidrBlock: '10.0.1.0/24' }],
        [SUBNET_B, { id: SUBNET_B, vpcId: APP.vpcId, cidrBlock: '10.0.2.0/24' }],
        ['subnet-db', { id: 'subnet-db', vpcId: APP.vpcId, cidrBlock: '10.0.8.0/24' }],
      ]),
    ),
    securityGroups: known(
      new Map([
        ['sg-fn', { id: 'sg-fn', vpcId: APP.vpcId, ingress: [] }],
        [
          'sg-db',
          {
            id: 'sg-db',
            vpcId: APP.vpcId,
            ingress: [{ protocol: 'tcp', fromPort: 5432, toPort: 5432, groupIds: ['sg-fn'], cidrs: [] }],
          },
        ],
      ]),
    ),
    instances: known([instance()]),
    clusters: known([]),
    secrets: new Map(),
    topics: new Map(),
    ...draft,
  };
}

function configWith(
  db: Partial<ServerDatabaseConfig> = {},
  vpcs: readonly VpcConfig[] = [APP],
  alarms?: Config['alarms'],
): Config {
  return config({
    vpcs,
    databases: [database({ name: 'sessions', vpc: 'app', host: HOST, resourceId: 'db-ABCDEF', ...db })],
    probes: [probe({ database: 'sessions' })],
    ...(alarms ? { alarms } : {}),
  });
}

function only(findings: readonly Finding[], check: Finding['check']): Finding {
  const found = findings.filter((finding) => finding.check === check);
  expect(found).toHaveLength(1);
  return found[0] as Finding;
}

const failed = (findings: readonly Finding[]) => findings.filter((finding) => !finding.ok);

describe('judgeConfig', () => {
  it('passes every check of a sound setup, each at its key', () => {
    const findings = judgeConfig(configWith(), facts());

    expect(failed(findings)).toEqual([]);
    expect(findings.map(({ check, path }) => [check, path.join('.')])).toEqual([
      ['vpc', 'vpcs.app.vpcId'],
      ['subnet', 'vpcs.app.subnetIds.0'],
      ['subnet', 'vpcs.app.subnetIds.1'],
      ['securityGroup', 'vpcs.app.securityGroupIds.0'],
      ['endpoint', 'databases.sessions.host'],
      ['port', 'databases.sessions.port'],
      ['ingress', 'databases.sessions.vpc'],
      ['iamAuth', 'databases.sessions.auth.type'],
      ['resourceId', 'databases.sessions.resourceId'],
    ]);
  });

  it('finds a missing VPC, a missing subnet and a subnet of another VPC, each at its own key', () => {
    const world = facts({
      vpcIds: known(new Set()),
      subnets: known(new Map([[SUBNET_B, { id: SUBNET_B, vpcId: 'vpc-other', cidrBlock: '10.9.0.0/24' }]])),
    });

    const findings = failed(judgeConfig(configWith(), world)).filter((f) => f.path[0] === 'vpcs');

    expect(findings).toEqual([
      {
        check: 'vpc',
        ok: false,
        path: ['vpcs', 'app', 'vpcId'],
        message: `${APP.vpcId} does not exist in ${REGION}`,
      },
      {
        check: 'subnet',
        ok: false,
        path: ['vpcs', 'app', 'subnetIds', '0'],
        message: `subnet ${SUBNET_A} does not exist in ${REGION}`,
      },
      {
        check: 'subnet',
        ok: false,
        path: ['vpcs', 'app', 'subnetIds', '1'],
        message: `subnet ${SUBNET_B} is in vpc-other, not in ${APP.vpcId} (vpcId of VPC 'app')`,
      },
    ]);
  });

  it('matches the endpoint without regard to case or a final dot', () => {
    const findings = judgeConfig(configWith({ host: `${HOST.toUpperCase()}.` }), facts());

    expect(only(findings, 'endpoint')).toMatchObject({ ok: true });
  });

  it('finds a host that is no RDS endpoint, and checks nothing that needs the database', () => {
    const findings = judgeConfig(configWith({ host: 'db.example.com' }), facts());

    expect(failed(findings)).toEqual([
      {
        check: 'endpoint',
        ok: false,
        path: ['databases', 'sessions', 'host'],
        message:
          `no RDS DB instance or cluster in ${REGION} has the endpoint db.example.com; ` +
          'its port, security groups, IAM auth and resource id could not be checked',
      },
    ]);
    expect(findings.some((f) => ['port', 'ingress', 'iamAuth', 'resourceId'].includes(f.check))).toBe(false);
  });

  it('calls a host unknown, not missing, when the instances could not be listed', () => {
    const findings = judgeConfig(configWith(), facts({ instances: denied('rds:DescribeDBInstances') }));

    expect(only(findings, 'endpoint')).toEqual({
      check: 'endpoint',
      ok: false,
      path: ['databases', 'sessions', 'host'],
      message: `could not check whether ${HOST} is an RDS database: your credentials may not call rds:DescribeDBInstances (AccessDenied: no)`,
    });
  });

  it("judges an Aurora instance's IAM auth and resource id by its cluster's", () => {
    const cluster = instance({
      kind: 'cluster',
      id: 'aurora',
      endpoints: ['aurora.cluster-xyz.eu-west-1.rds.amazonaws.com'],
      iamAuth: false,
      resourceId: 'cluster-XYZ',
    });
    const member = instance({ clusterId: 'aurora', iamAuth: true, resourceId: 'db-ABCDEF' });

    const findings = judgeConfig(
      configWith(),
      facts({ instances: known([member]), clusters: known([cluster]) }),
    );

    expect(only(findings, 'iamAuth')).toMatchObject({
      ok: false,
      message:
        "auth is iam, but IAM database authentication is off on DB cluster 'aurora'; " +
        'turn it on (aws rds modify-db-cluster --enable-iam-database-authentication)',
    });
    expect(only(findings, 'resourceId').message).toBe(
      "db-ABCDEF is not the resource id of DB cluster 'aurora': cluster-XYZ is " +
        "(rds-db:connect to an Aurora cluster names the cluster's resource id, not its instance's)",
    );
  });

  it("finds a cluster by its reader endpoint and an instance's port that is not the config's", () => {
    const cluster = instance({ kind: 'cluster', id: 'aurora', endpoints: ['w.example', HOST], port: 5433 });

    const findings = judgeConfig(
      configWith({ resourceId: undefined }),
      facts({ clusters: known([cluster]) }),
    );

    expect(only(findings, 'endpoint').message).toBe(`${HOST} is the endpoint of DB cluster 'aurora'`);
    expect(only(findings, 'port')).toMatchObject({
      ok: false,
      path: ['databases', 'sessions', 'port'],
      message: "DB cluster 'aurora' listens on port 5433, not 5432",
    });
  });

  it('fails IAM auth and the resource id that RDS did not report, rather than passing them', () => {
    const findings = judgeConfig(
      configWith(),
      facts({ instances: known([instance({ iamAuth: undefined, resourceId: undefined })]) }),
    );

    expect(only(findings, 'iamAuth')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^could not check /),
    });
    expect(only(findings, 'resourceId')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^could not check /),
    });
  });

  describe('ingress', () => {
    const groupsWith = (ingress: readonly { fromPort: number; groupIds?: string[]; cidrs?: string[] }[]) =>
      known(
        new Map([
          ['sg-fn', { id: 'sg-fn', vpcId: APP.vpcId, ingress: [] }],
          [
            'sg-db',
            {
              id: 'sg-db',
              vpcId: APP.vpcId,
              ingress: ingress.map((rule) => ({
                protocol: 'tcp',
                fromPort: rule.fromPort,
                toPort: rule.fromPort,
                groupIds: rule.groupIds ?? [],
                cidrs: rule.cidrs ?? [],
              })),
            },
          ],
        ]),
      );

    it("finds a database security group that admits the function's only on another port", () => {
      const world = facts({ securityGroups: groupsWith([{ fromPort: 3306, groupIds: ['sg-fn'] }]) });

      const finding = only(judgeConfig(configWith(), world), 'ingress');

      expect(finding).toEqual({
        check: 'ingress',
        ok: false,
        path: ['databases', 'sessions', 'vpc'],
        message:
          "the security group sg-db of DB instance 'sessions' admits neither sg-fn (securityGroupIds of VPC 'app') " +
          "nor the subnets of VPC 'app' (10.0.1.0/24, 10.0.2.0/24) on port 5432; add an inbound rule for TCP 5432 from sg-fn",
      });
    });

    it("admits the function by its subnets' addresses as well as by its security group", () => {
      const world = facts({ securityGroups: groupsWith([{ fromPort: 5432, cidrs: ['10.0.0.0/16'] }]) });

      expect(only(judgeConfig(configWith(), world), 'ingress').ok).toBe(true);
    });

    it('with a security group created at deploy, passes when the subnets are admitted and says what to add when not', () => {
      const created = vpc('app', { subnetIds: APP.subnetIds });
      const admitted = facts({ securityGroups: groupsWith([{ fromPort: 5432, cidrs: ['10.0.0.0/16'] }]) });
      const closed = facts({ securityGroups: groupsWith([{ fromPort: 5432, groupIds: ['sg-elsewhere'] }]) });

      const pass = only(judgeConfig(configWith({}, [created]), admitted), 'ingress');
      const fail = only(judgeConfig(configWith({}, [created]), closed), 'ingress');

      expect(pass.ok).toBe(true);
      expect(fail.ok).toBe(false);
      expect(fail.message).toContain(
        "does not admit the subnets of VPC 'app' (10.0.1.0/24, 10.0.2.0/24) on port 5432",
      );
      expect(fail.message).toContain('allow TCP 5432 from those blocks');
      expect(fail.message).toContain('after deploy');
    });

    it("calls ingress unknown when the subnets' addresses are", () => {
      const created = vpc('app', { subnetIds: APP.subnetIds });

      const finding = only(
        judgeConfig(configWith({}, [created]), facts({ subnets: denied('ec2:DescribeSubnets') })),
        'ingress',
      );

      expect(finding.ok).toBe(false);
      expect(finding.message).toMatch(
        /^could not check whether the security group sg-db .* ec2:DescribeSubnets/,
      );
    });

    it('outside any VPC, needs a publicly accessible database admitting any address, at its host', () => {
      const world = (publiclyAccessible: boolean, cidr: string) =>
        facts({
          instances: known([instance({ publiclyAccessible })]),
          securityGroups: groupsWith([{ fromPort: 5432, cidrs: [cidr] }]),
        });
      const outside = (world: AwsFacts) =>
        only(judgeConfig(configWith({ vpc: undefined, auth: { type: 'iam' } }, []), world), 'ingress');

      expect(outside(world(true, '0.0.0.0/0'))).toMatchObject({
        ok: true,
        path: ['databases', 'sessions', 'host'],
      });
      expect(outside(world(true, '10.0.0.0/8')).message).toContain("AWS's public addresses");
      expect(outside(world(false, '0.0.0.0/0')).message).toContain('is not publicly accessible');
    });
  });

  it("finds a database subnet outside the VPC's cidrBlocks, at cidrBlocks", () => {
    const inside = vpc('app', { subnetIds: APP.subnetIds, cidrBlocks: ['10.0.0.0/20'] });
    const outside = vpc('app', { subnetIds: APP.subnetIds, cidrBlocks: ['10.0.1.0/24'] });
    const world = facts({
      securityGroups: known(
        new Map([
          [
            'sg-db',
            {
              id: 'sg-db',
              ingress: [
                { protocol: 'tcp', fromPort: 5432, toPort: 5432, groupIds: [], cidrs: ['10.0.0.0/16'] },
              ],
            },
          ],
        ]),
      ),
    });

    expect(only(judgeConfig(configWith({}, [inside]), world), 'egress').ok).toBe(true);
    expect(only(judgeConfig(configWith({}, [outside]), world), 'egress')).toEqual({
      check: 'egress',
      ok: false,
      path: ['vpcs', 'app', 'cidrBlocks'],
      message:
        "database 'sessions' (DB instance 'sessions') may take an address in subnet-db (10.0.8.0/24), outside " +
        "cidrBlocks, where the query function's security group lets no connection out",
    });
  });

  describe('secret', () => {
    const judgeSecret = (secret: Fact<SecretFacts> | undefined, arn = SECRET) =>
      only(
        judgeConfig(
          configWith({ auth: { type: 'secret', secretArn: arn }, resourceId: undefined }),
          facts({ secrets: secret ? new Map([[arn, secret]]) : new Map() }),
        ),
        'secret',
      );
    const found = (valueProblem: Fact<string | undefined>, scheduledForDeletion = false): Fact<SecretFacts> =>
      known({ found: true, scheduledForDeletion, valueProblem });

    it('passes a secret that exists and holds a password, at its secretArn', () => {
      expect(judgeSecret(found(known(undefined)))).toEqual({
        check: 'secret',
        ok: true,
        path: ['databases', 'sessions', 'auth', 'secretArn'],
        message: 'the secret exists and holds JSON with a string "password"',
      });
    });

    it('finds a missing, deleted, misshapen or unreadable secret, and one of another region', () => {
      const elsewhere = SECRET.replace(REGION, 'us-east-1');

      expect(judgeSecret(known({ found: false })).message).toBe(`no secret ${SECRET} in ${REGION}`);
      expect(judgeSecret(found(known(undefined), true)).message).toContain('scheduled for deletion');
      expect(judgeSecret(found(known('is not JSON'))).message).toBe("the secret's value is not JSON");
      expect(judgeSecret(found(denied('secretsmanager:GetSecretValue'))).message).toBe(
        "could not check the secret's value: your credentials may not call secretsmanager:GetSecretValue (AccessDenied: no)",
      );
      expect(judgeSecret(undefined, elsewhere).message).toBe(
        `the secret is in us-east-1, but the stack's region is ${REGION}: the fan-out function reads secrets in its own region`,
      );
    });
  });

  it('finds the alarm topic missing, unknown, or in another region, at alarms.topicArn', () => {
    const judgeTopic = (arn: string, exists?: Fact<boolean>) =>
      only(
        judgeConfig(
          configWith({}, [APP], { topicArn: arn }),
          facts({ topics: exists ? new Map([[arn, exists]]) : new Map() }),
        ),
        'alarmTopic',
      );

    expect(judgeTopic(TOPIC, known(true))).toEqual({
      check: 'alarmTopic',
      ok: true,
      path: ['alarms', 'topicArn'],
      message: `the topic exists in ${REGION}`,
    });
    expect(judgeTopic(TOPIC, known(false)).message).toBe(`no SNS topic ${TOPIC} in ${REGION}`);
    expect(judgeTopic(TOPIC, denied('sns:GetTopicAttributes')).ok).toBe(false);
    expect(judgeTopic(TOPIC.replace(REGION, 'us-east-1')).message).toContain("stack's region is eu-west-1");
  });

  it("judges a Data API database by its cluster's Data API, at dataApi.resourceArn, and nothing of a connection", () => {
    // arrange
    const orders = dataApiDatabase({ name: 'orders' });
    const arn = orders.dataApi.resourceArn;
    const cluster = (dataApi?: boolean): RdsDatabase => ({
      kind: 'cluster',
      id: 'orders',
      endpoints: ['orders.cluster-xyz.eu-west-1.rds.amazonaws.com'],
      arn,
      ...(dataApi === undefined ? {} : { dataApi }),
    });
    const judge = (clusters: Fact<readonly RdsDatabase[]>) =>
      judgeConfig(
        config({ databases: [orders], probes: [probe({ database: 'orders' })] }),
        facts({ clusters }),
      );

    // act
    const on = judge(known([cluster(true)]));
    const off = only(judge(known([cluster(false)])), 'endpoint');
    const gone = only(judge(known([])), 'endpoint');
    const unasked = only(judge(denied('rds:DescribeDBClusters')), 'endpoint');

    // assess
    expect(on.map(({ check, ok, path }) => [check, ok, path.join('.')])).toEqual([
      ['endpoint', true, 'databases.orders.dataApi.resourceArn'],
      ['secret', false, 'databases.orders.auth.secretArn'],
    ]);
    expect(off).toMatchObject({ ok: false, path: ['databases', 'orders', 'dataApi', 'resourceArn'] });
    expect(off.message).toBe(
      `the Data API is off on DB cluster 'orders'; turn it on (aws rds enable-http-endpoint --resource-arn ${arn})`,
    );
    expect(gone.message).toBe(`no Aurora DB cluster in ${REGION} has the ARN ${arn}`);
    expect(unasked.ok).toBe(false);
    expect(unasked.message).toMatch(
      /^could not check that .* exists: your credentials may not call rds:DescribeDBClusters/,
    );
  });
});

describe('secretValueProblem', () => {
  it('accepts JSON with a string password, with or without a username', () => {
    expect(secretValueProblem('{"username":"reader","password":"pw"}')).toBeUndefined();
    expect(secretValueProblem('{"password":"pw","engine":"postgres"}')).toBeUndefined();
  });

  it('names what is wrong without ever quoting the value', () => {
    const values = ['hunter2-not-json', '{"password":12345678}', '["hunter2"]', '"hunter2"'];

    const problems = values.map(secretValueProblem);

    expect(problems).toEqual([
      expect.stringMatching(/^is not JSON; /),
      expect.stringMatching(/^has no string "password"; /),
      expect.stringMatching(/^has no string "password"; /),
      expect.stringMatching(/^has no string "password"; /),
    ]);
    for (const problem of problems) {
      expect(problem).not.toContain('hunter2');
      expect(problem).not.toContain('12345678');
    }
    expect(secretValueProblem(undefined)).toMatch(/^is binary or empty; /);
  });
});
