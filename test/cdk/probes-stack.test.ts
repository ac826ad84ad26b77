import { App } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ProbesStack } from '../../adapters/cdk/probes-stack.js';
import type { Config } from '../../core/model.js';
import { fanoutManifest } from '../../core/plan/build-manifests.js';
import { config, database, probe, vpc } from '../support/config-factory.js';
import { ENI_STATEMENT, rdsConnectArn } from './expected-statements.js';
import { functionLogicalIds, resourcesOf, type Synthesized, synthProbes } from './synth-probes.js';
import { wideConfig } from './wide-config.js';

/** the properties that fix a resource's name in the account and region */
const PHYSICAL_NAMES = [
  'AlarmName',
  'DashboardName',
  'FunctionName',
  'GroupName',
  'LogGroupName',
  'Name',
  'RoleName',
];

/** the logical id of the function of plan id `id` (`vpc-app`, `no-vpc`, `fanout`) */
function functionId(synth: Synthesized, id: string): string {
  const found = functionLogicalIds(synth.stack).get(id);
  if (!found) throw new Error(`no function ${id}`);
  return found;
}

/** the inline policy statements of the role a function runs as */
function statementsOf(synth: Synthesized, name: string): unknown[] {
  const fn = resourcesOf(synth.template, 'AWS::Lambda::Function')[functionId(synth, name)];
  if (!fn) throw new Error(`no function named ${name}`);
  const roleId = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const role = resourcesOf(synth.template, 'AWS::IAM::Role')[roleId];
  const policies = role?.Properties.Policies as { PolicyDocument: { Statement: unknown[] } }[];
  expect(policies).toHaveLength(1);
  expect(role?.Properties.ManagedPolicyArns).toBeUndefined();
  return policies[0]?.PolicyDocument.Statement ?? [];
}

function logStatement(synth: Synthesized, name: string) {
  const fn = resourcesOf(synth.template, 'AWS::Lambda::Function')[functionId(synth, name)];
  if (!fn) throw new Error(`no function named ${name}`);
  const group = (fn.Properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
  return {
    Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    Effect: 'Allow',
    Resource: { 'Fn::GetAtt': [group, 'Arn'] },
  };
}

describe('the stack of a config with two VPCs, a public database, detailed health and alarms', () => {
  let synth: Synthesized;
  beforeAll(() => {
    synth = synthProbes(wideConfig());
  });

  it('deploys one query function per VPC, one outside any VPC and one fan-out function', () => {
    const fns = resourcesOf(synth.template, 'AWS::Lambda::Function');
    const ids = functionLogicalIds(synth.stack);
    expect([...ids.keys()].sort()).toEqual(['fanout', 'no-vpc', 'vpc-app', 'vpc-billing']);
    expect(Object.keys(fns).sort()).toEqual([...ids.values()].sort());
  });

  it('fixes no physical name, so a second stack of the same file coexists in the account', () => {
    const fixed = Object.entries(
      synth.template.toJSON().Resources as Record<string, { Type: string; Properties?: object }>,
    ).flatMap(([id, resource]) =>
      Object.entries(resource.Properties ?? {})
        .filter(([key, value]) => PHYSICAL_NAMES.includes(key) && typeof value === 'string')
        .map(([key]) => `${resource.Type} ${id}: ${key}`),
    );
    expect(fixed).toEqual([]);
    const outputs = synth.template.toJSON().Outputs as Record<string, { Export?: unknown }>;
    for (const output of Object.values(outputs)) expect(output.Export).toBeUndefined();
  });

  it('names no function and no log group: CloudFormation names them after the stack', () => {
    for (const fn of Object.values(resourcesOf(synth.template, 'AWS::Lambda::Function'))) {
      expect(fn.Properties.FunctionName).toBeUndefined();
    }
    for (const group of Object.values(resourcesOf(synth.template, 'AWS::Logs::LogGroup'))) {
      expect(group.Properties.LogGroupName).toBeUndefined();
    }
  });

  it("hands the fan-out its query functions' generated names, in the order of its manifest's functions", () => {
    const fns = resourcesOf(synth.template, 'AWS::Lambda::Function');
    const ids = functionLogicalIds(synth.stack);
    const manifest = fanoutManifest(synth.stack.probes.plan);
    expect(fns[functionId(synth, 'fanout')]?.Properties.Environment).toEqual({
      Variables: {
        CHASM_QUERY_FUNCTIONS: {
          'Fn::Join': [',', manifest.functions.map((fn) => ({ Ref: ids.get(fn.id) }))],
        },
      },
    });
  });

  it('outputs the fan-out function, the dashboard and the security group it created, under fixed keys', () => {
    const outputs = synth.template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(Object.keys(outputs).sort()).toEqual(['DashboardUrl', 'FanoutFunctionName', 'SecurityGroupapp']);
    expect(outputs.FanoutFunctionName?.Value).toEqual({ Ref: functionId(synth, 'fanout') });
    const sgId = Object.keys(resourcesOf(synth.template, 'AWS::EC2::SecurityGroup'))[0];
    expect(outputs.SecurityGroupapp?.Value).toEqual({ 'Fn::GetAtt': [sgId, 'GroupId'] });
    const dashboard = Object.keys(resourcesOf(synth.template, 'AWS::CloudWatch::Dashboard'))[0];
    expect(outputs.DashboardUrl?.Value).toEqual({
      'Fn::Join': [
        '',
        [
          'https://console.aws.amazon.com/cloudwatch/home?region=',
          { Ref: 'AWS::Region' },
          '#dashboards/dashboard/',
          { Ref: dashboard },
        ],
      ],
    });
  });

  it('attaches each VPC function to its subnets, with its own or a created security group', () => {
    const config = wideConfig();
    const fns = resourcesOf(synth.template, 'AWS::Lambda::Function');
    const app = fns[functionId(synth, 'vpc-app')]?.Properties.VpcConfig as {
      SubnetIds: string[];
      SecurityGroupIds: unknown[];
    };
    expect(app.SubnetIds).toEqual(config.vpcs.app?.subnetIds);
    expect(app.SecurityGroupIds).toHaveLength(1);
    const sgId = (app.SecurityGroupIds[0] as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const sg = resourcesOf(synth.template, 'AWS::EC2::SecurityGroup')[sgId];
    expect(sg?.Properties.VpcId).toBe(config.vpcs.app?.vpcId);
    // egress only to the databases' ports, no ingress
    expect(sg?.Properties.SecurityGroupEgress).toEqual([
      { CidrIp: '0.0.0.0/0', Description: 'to orders', FromPort: 3306, IpProtocol: 'tcp', ToPort: 3306 },
      { CidrIp: '0.0.0.0/0', Description: 'to sessions', FromPort: 5432, IpProtocol: 'tcp', ToPort: 5432 },
    ]);
    expect(sg?.Properties.SecurityGroupIngress).toBeUndefined();
    expect(resourcesOf(synth.template, 'AWS::EC2::SecurityGroupEgress')).toEqual({});

    const billing = fns[functionId(synth, 'vpc-billing')]?.Properties.VpcConfig;
    expect(billing).toEqual({
      SubnetIds: config.vpcs.billing?.subnetIds,
      SecurityGroupIds: ['sg-0123456789abcdef0'],
    });
    expect(Object.keys(resourcesOf(synth.template, 'AWS::EC2::SecurityGroup'))).toHaveLength(1);
  });

  describe('with cidrBlocks on VPC app', () => {
    /** the created group's egress rules, any rule kept as a resource of its own, and the logical ids */
    function appEgress(cidrBlocks: readonly string[]) {
      const stack = synthProbes(
        wideConfig({
          vpcs: [vpc('app', { cidrBlocks }), vpc('billing', { securityGroupIds: ['sg-0123456789abcdef0'] })],
        }),
      );
      const groups = resourcesOf(stack.template, 'AWS::EC2::SecurityGroup');
      expect(Object.keys(groups)).toHaveLength(1);
      return {
        inline: Object.values(groups)[0]?.Properties.SecurityGroupEgress,
        separate: resourcesOf(stack.template, 'AWS::EC2::SecurityGroupEgress'),
        ids: Object.keys(stack.template.toJSON().Resources as object).sort(),
      };
    }
    let narrowed: ReturnType<typeof appEgress>;
    beforeAll(() => {
      // written out of order: the rules come sorted by port, then address, whatever the file's order
      narrowed = appEgress(['10.1.0.0/16', '10.0.0.0/16']);
    });

    it('narrows the created group to each database port on each block, and nothing else', () => {
      expect(narrowed.inline).toEqual([
        { CidrIp: '10.0.0.0/16', Description: 'to orders', FromPort: 3306, IpProtocol: 'tcp', ToPort: 3306 },
        { CidrIp: '10.1.0.0/16', Description: 'to orders', FromPort: 3306, IpProtocol: 'tcp', ToPort: 3306 },
        {
          CidrIp: '10.0.0.0/16',
          Description: 'to sessions',
          FromPort: 5432,
          IpProtocol: 'tcp',
          ToPort: 5432,
        },
        {
          CidrIp: '10.1.0.0/16',
          Description: 'to sessions',
          FromPort: 5432,
          IpProtocol: 'tcp',
          ToPort: 5432,
        },
      ]);
      expect(JSON.stringify(narrowed.inline)).not.toContain('0.0.0.0/0');
      expect(narrowed.separate).toEqual({});
    });

    it('changes the rules only, never a logical id', () => {
      expect(narrowed.ids).toEqual(Object.keys(synth.template.toJSON().Resources as object).sort());
    });
  });

  it('keeps the fan-out function and the public query function outside any VPC', () => {
    const fns = resourcesOf(synth.template, 'AWS::Lambda::Function');
    expect(fns[functionId(synth, 'fanout')]?.Properties.VpcConfig).toBeUndefined();
    expect(fns[functionId(synth, 'no-vpc')]?.Properties.VpcConfig).toBeUndefined();
  });

  it('runs every function on Node.js 22 or newer, arm64, with JSON logs in a group of the configured retention', () => {
    const fns = Object.values(resourcesOf(synth.template, 'AWS::Lambda::Function'));
    for (const fn of fns) {
      const runtime = String(fn.Properties.Runtime);
      expect(runtime).toMatch(/^nodejs\d+\.x$/);
      expect(Number(/\d+/.exec(runtime)?.[0])).toBeGreaterThanOrEqual(22);
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      expect(fn.Properties.Handler).toBe('index.handler');
      expect(fn.Properties.LoggingConfig).toMatchObject({ LogFormat: 'JSON' });
    }
    // each function logs to a group of its own, created with the retention
    const groups = resourcesOf(synth.template, 'AWS::Logs::LogGroup');
    const logGroups = fns.map(
      (fn) => (fn.Properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref,
    );
    expect([...new Set(logGroups)].sort()).toEqual(Object.keys(groups).sort());
    for (const group of Object.values(groups)) expect(group.Properties.RetentionInDays).toBe(14);
  });

  it('gives the fan-out function timeouts beyond every query function, each beyond its longest probe', () => {
    const fns = resourcesOf(synth.template, 'AWS::Lambda::Function');
    const timeout = (name: string) => Number(fns[functionId(synth, name)]?.Properties.Timeout);
    // vpc-app: orders' one 30 s probe; sessions' two probes share two connections
    expect(timeout('vpc-app')).toBeGreaterThan(30);
    expect(timeout('vpc-billing')).toBeGreaterThan(10);
    const longestQuery = Math.max(timeout('vpc-app'), timeout('vpc-billing'), timeout('no-vpc'));
    expect(timeout('fanout')).toBeGreaterThan(longestQuery);
  });

  it('lets the fan-out invoke only the query functions, publish only into the namespace, read only the secret with its key', () => {
    const queryArns = ['vpc-app', 'vpc-billing', 'no-vpc']
      .map((name) => ({ 'Fn::GetAtt': [functionId(synth, name), 'Arn'] as [string, string] }))
      .sort((a, b) => a['Fn::GetAtt'][0].localeCompare(b['Fn::GetAtt'][0]));
    const statements = statementsOf(synth, 'fanout') as { Resource: unknown }[];
    const invoke = statements.find((s) => JSON.stringify(s).includes('lambda:InvokeFunction')) as {
      Resource: { 'Fn::GetAtt': [string, string] }[];
    };
    expect(invoke).toEqual({ Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: expect.any(Array) });
    expect([...invoke.Resource].sort((a, b) => a['Fn::GetAtt'][0].localeCompare(b['Fn::GetAtt'][0]))).toEqual(
      queryArns,
    );
    expect(statements.filter((s) => s !== invoke)).toEqual([
      logStatement(synth, 'fanout'),
      {
        Action: 'cloudwatch:PutMetricData',
        Condition: { StringEquals: { 'cloudwatch:namespace': 'Acme/Sessions' } },
        Effect: 'Allow',
        Resource: '*',
      },
      {
        Action: 'secretsmanager:GetSecretValue',
        Effect: 'Allow',
        // ends like a suffix, or is a name that ends so: both readings are granted
        Resource: [
          'arn:aws:secretsmanager:eu-west-1:123456789012:secret:ledger-AbCdEf',
          'arn:aws:secretsmanager:eu-west-1:123456789012:secret:ledger-AbCdEf-??????',
        ],
      },
      {
        Action: 'kms:Decrypt',
        Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
        Effect: 'Allow',
        Resource: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      },
    ]);
  });

  it('lets query functions connect as their IAM users only, exactly when a resource id is set', () => {
    expect(statementsOf(synth, 'vpc-app')).toEqual([
      logStatement(synth, 'vpc-app'),
      ENI_STATEMENT,
      {
        Action: 'rds-db:connect',
        Effect: 'Allow',
        Resource: [
          rdsConnectArn('dbuser:*/reader'),
          rdsConnectArn('dbuser:cluster-ABCDEFGHIJKL/metrics_reader'),
        ],
      },
    ]);
    // the ledger uses a secret: no rds-db:connect at all
    expect(statementsOf(synth, 'vpc-billing')).toEqual([logStatement(synth, 'vpc-billing'), ENI_STATEMENT]);
    expect(statementsOf(synth, 'no-vpc')).toEqual([
      logStatement(synth, 'no-vpc'),
      { Action: 'rds-db:connect', Effect: 'Allow', Resource: rdsConnectArn('dbuser:*/stats') },
    ]);
  });

  it('schedules each distinct expression once, sending the fan-out the probes it runs', () => {
    const fanoutArn = { 'Fn::GetAtt': [functionId(synth, 'fanout'), 'Arn'] };
    const schedules = Object.values(resourcesOf(synth.template, 'AWS::Scheduler::Schedule')).map((s) => {
      const target = s.Properties.Target as {
        Arn: unknown;
        Input: string;
        RoleArn: { 'Fn::GetAtt': [string] };
      };
      expect(target.Arn).toEqual(fanoutArn);
      return {
        expression: s.Properties.ScheduleExpression,
        input: JSON.parse(target.Input),
        role: target.RoleArn,
      };
    });
    expect(schedules.map(({ expression, input }) => ({ expression, input }))).toEqual(
      expect.arrayContaining([
        { expression: 'rate(1 minute)', input: { probes: ['active-sessions'] } },
        {
          expression: 'rate(5 minutes)',
          input: { probes: ['open-orders', 'public-count', 'sessions-by-region'] },
        },
        { expression: 'cron(0/15 * * * ? *)', input: { probes: ['ledger-lag'] } },
      ]),
    );
    expect(schedules).toHaveLength(3);
    // the scheduler's role may invoke the fan-out function and nothing else
    const roleId = schedules[0]?.role['Fn::GetAtt'][0] ?? '';
    synth.template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          },
        ],
      },
    });
    const role = resourcesOf(synth.template, 'AWS::IAM::Role')[roleId];
    expect(role?.Properties.Policies).toEqual([
      {
        PolicyName: 'Invoke',
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [{ Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: fanoutArn }],
        },
      },
    ]);
  });

  it('does not retry a scheduled run (a retried tick would publish twice)', () => {
    synth.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: functionId(synth, 'fanout') },
      MaximumRetryAttempts: 0,
    });
  });

  it('draws a dashboard with the health view and a graph per metric, column dimensions by SEARCH', () => {
    const dashboards = Object.values(resourcesOf(synth.template, 'AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(dashboards[0]?.Properties.DashboardBody);
    for (const title of ['Probes failed', 'Probe success (minimum)', 'Probe duration (maximum, ms)']) {
      expect(body).toContain(title);
    }
    for (const metric of ['ActiveSessions', 'SessionsByRegion', 'AvgSessionDuration', 'open-orders-value']) {
      expect(body).toContain(`: ${metric} (`);
    }
    expect(body).toContain('ProbeSuccess');
    expect(body).toContain('ProbeDuration');
    // Region comes from a column: a SEARCH over its schema, the static Env fixed
    expect(body).toContain(
      String.raw`SEARCH('{\\\"Acme/Sessions\\\",\\\"Env\\\",\\\"Region\\\"} MetricName=\\\"AvgSessionDuration\\\" \\\"Env\\\"=\\\"prod\\\"', 'Average', 300)`,
    );
  });

  it("draws each alarm's threshold on the graph of what it watches, with the alarm's statistic", () => {
    const body = JSON.parse(
      JSON.stringify(
        Object.values(resourcesOf(synth.template, 'AWS::CloudWatch::Dashboard'))[0]?.Properties.DashboardBody,
      ),
    ) as { 'Fn::Join': [string, unknown[]] };
    const widgets = (
      JSON.parse(
        body['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : 'eu-west-1')).join(''),
      ) as {
        widgets: { properties: { title: string; metrics: unknown[]; annotations?: unknown } }[];
      }
    ).widgets.map(({ properties }) => properties);
    const titled = (title: string) => widgets.find((widget) => widget.title === title);
    expect(titled('Probes failed')?.annotations).toEqual({
      horizontal: [{ value: 0, label: 'alarm: above 0', fill: 'above', yAxis: 'left' }],
    });
    expect(titled('Probe success (minimum)')?.annotations).toEqual({
      horizontal: [{ value: 1, label: 'alarm: each probe below 1', fill: 'below', yAxis: 'left' }],
    });
    // a metric alarm: the series graphed with the alarm's statistic, the line at its threshold
    expect(titled('active-sessions: ActiveSessions (Count)')).toMatchObject({
      metrics: [
        ['Acme/Sessions', 'ActiveSessions', { label: 'ActiveSessions', period: 60, stat: 'Maximum' }],
      ],
      annotations: {
        horizontal: [
          {
            value: 1000,
            label: 'alarm: Maximum above 1000, 2 of 3 × 1 minute',
            fill: 'above',
            yAxis: 'left',
          },
        ],
      },
    });
    // a query alarm: every series the SEARCH finds, against the same line
    expect(titled('sessions-by-region: SessionsByRegion (Count)')).toMatchObject({
      metrics: [
        [
          {
            expression: `SEARCH('{"Acme/Sessions","Env","Region"} MetricName="SessionsByRegion" "Env"="prod"', 'Minimum', 300)`,
          },
        ],
      ],
      annotations: {
        horizontal: [
          { value: 1, label: 'alarm: Minimum below 1, 1 of 1 × 5 minutes', fill: 'below', yAxis: 'left' },
        ],
      },
    });
    // a metric without an alarm has no line
    expect(titled('open-orders: open-orders-value (Count)')?.annotations).toBeUndefined();
  });

  it('alarms on ProbesFailed, on every probe with one Metrics Insights alarm, and on each alarmed metric, to the configured topic', () => {
    const topic = 'arn:aws:sns:eu-west-1:123456789012:alerts';
    const alarms = Object.values(resourcesOf(synth.template, 'AWS::CloudWatch::Alarm')).map(
      (a) => a.Properties,
    );
    // ProbesFailed, the probes' ProbeSuccess, ActiveSessions, SessionsByRegion: nothing per probe
    expect(alarms).toHaveLength(4);
    for (const alarm of alarms) expect(alarm).toMatchObject({ AlarmActions: [topic], OKActions: [topic] });
    expect(alarms).toContainEqual(
      expect.objectContaining({
        MetricName: 'ProbesFailed',
        Namespace: 'Acme/Sessions',
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
        Period: 60,
        TreatMissingData: 'breaching',
      }),
    );
    // every minute, over the 15 minutes of the slowest schedule (cron every 15 minutes)
    expect(alarms).toContainEqual(
      expect.objectContaining({
        Metrics: [
          {
            Id: 'expr_1',
            Expression:
              'SELECT MIN("ProbeSuccess") FROM SCHEMA("Acme/Sessions", "Probe") GROUP BY "Probe" ORDER BY MIN() ASC',
            Period: 60,
            ReturnData: true,
          },
        ],
        ComparisonOperator: 'LessThanThreshold',
        Threshold: 1,
        EvaluationPeriods: 15,
        DatapointsToAlarm: 1,
        TreatMissingData: 'notBreaching',
      }),
    );
  });
});

describe('secrets', () => {
  /** the fan-out's GetSecretValue and kms:Decrypt statements for the given databases' auth */
  function secretStatements(auths: readonly { secretArn: string; kmsKeyArn?: string }[]) {
    const synth = synthProbes(
      config({
        databases: auths.map((auth, i) => database({ name: `db${i}`, auth: { type: 'secret', ...auth } })),
        probes: auths.map((_, i) => probe({ name: `p${i}`, database: `db${i}` })),
      }),
      { nag: true },
    );
    return (statementsOf(synth, 'fanout') as { Action: unknown }[]).filter((statement) =>
      ['secretsmanager:GetSecretValue', 'kms:Decrypt'].includes(String(statement.Action)),
    );
  }

  it('grants a secret written without its suffix as NAME-??????, which the deployed secret matches', () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/metrics';
    expect(secretStatements([{ secretArn: arn }])).toEqual([
      { Action: 'secretsmanager:GetSecretValue', Effect: 'Allow', Resource: `${arn}-??????` },
    ]);
  });

  it('grants a secret ending like a suffix both exactly and as NAME-??????: shop/metrics-reader may be either', () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/metrics-reader';
    expect(secretStatements([{ secretArn: arn }])).toEqual([
      { Action: 'secretsmanager:GetSecretValue', Effect: 'Allow', Resource: [arn, `${arn}-??????`] },
    ]);
  });

  it('lets the fan-out decrypt with each customer managed key, through Secrets Manager of its region only', () => {
    const key = (id: string) => `arn:aws:kms:eu-west-1:123456789012:key/${id}`;
    const keyA = key('1234abcd-12ab-34cd-56ef-1234567890ab');
    const keyB = key('mrk-0123456789abcdef0123456789abcdef');
    const statements = secretStatements([
      { secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:a', kmsKeyArn: keyB },
      { secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:b', kmsKeyArn: keyA },
      { secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:c' },
    ]);
    expect(statements[1]).toEqual({
      Action: 'kms:Decrypt',
      Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
      Effect: 'Allow',
      Resource: [keyA, keyB],
    });
    expect(statements).toHaveLength(2);
  });
});

describe('a config with a region', () => {
  it("deploys to that region, its ARNs and the dashboard's address naming it, cdk-nag clean", () => {
    // nag: the acknowledged rds-db:connect wildcard names the region as the template does
    const synth = synthProbes(
      config({
        region: 'eu-central-1',
        vpcs: [vpc('app')],
        databases: [database({ name: 'sessions', vpc: 'app' })],
        probes: [probe({ name: 'active', database: 'sessions' })],
      }),
      { nag: true },
    );
    expect(synth.stack.region).toBe('eu-central-1');
    const template = JSON.stringify(synth.template.toJSON());
    expect(template).toContain(':rds-db:eu-central-1:');
    const outputs = synth.template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(JSON.stringify(outputs.DashboardUrl?.Value)).toContain('?region=eu-central-1#dashboards/');
  });

  it("is refused when the stack's env names another region", () => {
    const regional = config({
      region: 'eu-central-1',
      databases: [database({ name: 'sessions' })],
      probes: [probe({ name: 'active', database: 'sessions' })],
    });

    expect(
      () => new ProbesStack(new App(), 'Probes', { config: regional, env: { region: 'us-east-1' } }),
    ).toThrow("the stack's env names region us-east-1, but /project/probes.yaml deploys to eu-central-1");
  });
});

describe('publish: emf', () => {
  it('deploys no fan-out function and schedules each query function directly with its probes', () => {
    const synth = synthProbes(
      config({
        publish: 'emf',
        vpcs: [vpc('app')],
        databases: [database({ name: 'sessions', vpc: 'app' }), database({ name: 'public' })],
        probes: [
          probe({ name: 'a', database: 'sessions' }),
          probe({ name: 'b', database: 'public' }),
          probe({ name: 'c', database: 'sessions', schedule: 'rate(1 hour)' }),
        ],
      }),
    );
    expect([...functionLogicalIds(synth.stack).keys()].sort()).toEqual(['no-vpc', 'vpc-app']);
    expect(Object.keys(resourcesOf(synth.template, 'AWS::Lambda::Function'))).toHaveLength(2);
    const arn = (name: string) => ({ 'Fn::GetAtt': [functionId(synth, name), 'Arn'] });
    const schedules = Object.values(resourcesOf(synth.template, 'AWS::Scheduler::Schedule')).map((s) => {
      const target = s.Properties.Target as { Arn: unknown; Input: string };
      return {
        expression: s.Properties.ScheduleExpression,
        arn: target.Arn,
        input: JSON.parse(target.Input),
      };
    });
    expect(schedules).toHaveLength(3);
    expect(schedules).toEqual(
      expect.arrayContaining([
        { expression: 'rate(5 minutes)', arn: arn('vpc-app'), input: { probes: ['a'] } },
        { expression: 'rate(5 minutes)', arn: arn('no-vpc'), input: { probes: ['b'] } },
        { expression: 'rate(1 hour)', arn: arn('vpc-app'), input: { probes: ['c'] } },
      ]),
    );
    // nothing may publish metrics through the API: EMF goes through the logs
    expect(JSON.stringify(synth.template.toJSON())).not.toContain('cloudwatch:PutMetricData');
  });
});

describe('a database with auth: env', () => {
  it('is refused at synthesis, naming the database, since a deployed function has no such variable', () => {
    const base = wideConfig();
    const local = config({
      databases: [database({ name: 'dev', auth: { type: 'env', passwordEnv: 'DEV_PASSWORD' } })],
      probes: [probe({ name: 'up', database: 'dev' })],
    });

    expect(() => synthProbes(local)).toThrow(/database 'dev' with auth type 'env'/);
    expect(() => synthProbes(base)).not.toThrow();
  });
});

describe('health and alarms', () => {
  /** the wide config's metrics without their alarms */
  const unalarmed = (config: Config): Config => ({
    ...config,
    probes: Object.fromEntries(
      Object.entries(config.probes).map(([name, p]) => [
        name,
        { ...p, metrics: p.metrics.map(({ alarm: _alarm, ...metric }) => metric) },
      ]),
    ),
  });

  it('creates no alarm without alarms.topicArn, and refuses a metric alarm that would notify nobody', () => {
    const { template } = synthProbes(unalarmed(wideConfig({ alarms: undefined })));
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    expect(() => synthProbes(wideConfig({ alarms: undefined }))).toThrow(
      '/project/probes.yaml gives metrics an alarm but names no alarms.topicArn for them to notify',
    );
  });

  it('with health: summary alarms on ProbesFailed and the alarmed metrics, and graphs no per-probe health', () => {
    const { template } = synthProbes(wideConfig({ health: 'summary' }));
    const alarms = Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    expect(alarms.map((alarm) => alarm.MetricName ?? 'query').sort()).toEqual([
      'ActiveSessions',
      'ProbesFailed',
      'query',
    ]);
    expect(JSON.stringify(alarms)).not.toContain('ProbeSuccess');
    const body = JSON.stringify(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(body).toContain('ProbesFailed');
    expect(body).not.toContain('ProbeSuccess');
  });

  it('with health: none has no health metric to alarm on or to graph, and alarms on the metrics still', () => {
    const { template } = synthProbes(wideConfig({ health: 'none' }));
    const alarms = Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    expect(alarms).toHaveLength(2);
    expect(JSON.stringify(alarms)).not.toMatch(/ProbesFailed|ProbeSuccess/);
    expect(JSON.stringify(template.findResources('AWS::CloudWatch::Dashboard'))).not.toContain(
      'ProbesFailed',
    );
  });

  it('imports the topic by ARN instead of creating one', () => {
    const { template } = synthProbes(wideConfig());
    template.resourceCountIs('AWS::SNS::Topic', 0);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmActions: Match.arrayWith(['arn:aws:sns:eu-west-1:123456789012:alerts']),
    });
  });
});

describe('a fleet with detailed health and alarms', () => {
  it('alarms on the probes and on each probe and database with a Metrics Insights alarm apiece, and graphs the health of fleet members by their Database too', () => {
    // arrange
    const fleet = config({
      health: 'detailed',
      alarms: { topicArn: 'arn:aws:sns:eu-west-1:123456789012:alerts' },
      vpcs: [vpc('eu'), vpc('us')],
      databases: [database({ name: 'orders-eu', vpc: 'eu' }), database({ name: 'orders-us', vpc: 'us' })],
      probes: [
        probe({ name: 'open-orders', database: ['orders-eu', 'orders-us'] }),
        probe({ name: 'single', database: 'orders-eu' }),
      ],
    });

    // act
    const { template } = synthProbes(fleet);

    // assess
    const alarms = Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    const queries = alarms.flatMap((alarm) =>
      ((alarm.Metrics ?? []) as { Expression: string }[]).map((query) => query.Expression),
    );
    expect(queries.sort()).toEqual([
      'SELECT MIN("ProbeSuccess") FROM SCHEMA("Acme/Sessions", "Database", "Probe") GROUP BY "Database", "Probe" ORDER BY MIN() ASC',
      'SELECT MIN("ProbeSuccess") FROM SCHEMA("Acme/Sessions", "Probe") GROUP BY "Probe" ORDER BY MIN() ASC',
    ]);
    expect(alarms).toHaveLength(3);
    const body = JSON.stringify(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(body).toContain(
      String.raw`SEARCH('{\\\"Acme/Sessions\\\",\\\"Database\\\",\\\"Probe\\\"} MetricName=\\\"ProbeSuccess\\\"'`,
    );
    expect(body).toContain(
      String.raw`SEARCH('{\\\"Acme/Sessions\\\",\\\"Database\\\"} MetricName=\\\"Value\\\"'`,
    );
  });
});
