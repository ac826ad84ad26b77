// Every example is a fixture: it synthesizes cdk-nag clean and deploys exactly what its config says.
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../adapters/config-loader.js';
import type { Config } from '../../core/model.js';
import { estimateCost } from '../../core/plan/cost-model.js';
import { buildPlan } from '../../core/plan/plan.js';
import { rdsConnectScope } from '../../core/plan/rds-connect-scope.js';
import { secretReadScope } from '../../core/plan/secret-read-scope.js';
import { allRuns } from '../../core/probe-runs.js';
import { exampleFiles, exampleName } from '../support/example-files.js';
import { ENI_STATEMENT, rdsConnectArn } from './expected-statements.js';
import {
  functionLogicalIds,
  resourcesOf,
  type Synthesized,
  synthProbes,
  validationViolations,
} from './synth-probes.js';
import { reversed } from './wide-config.js';

const examples = exampleFiles().map(exampleName);

type Resource = { Properties: Record<string, unknown> };
type GetAtt = { 'Fn::GetAtt': [string, string] };

/** each function by plan id (`vpc-app`, `no-vpc`, `fanout`): its logical id and resource */
function byId(synth: Synthesized): Map<string, [string, Resource]> {
  const fns = resourcesOf(synth.template, 'AWS::Lambda::Function');
  return new Map(
    [...functionLogicalIds(synth.stack)].map(([id, logicalId]) => [
      id,
      [logicalId, fns[logicalId] as Resource],
    ]),
  );
}

function statementsOf(synth: Synthesized, fn: Resource): unknown[] {
  const role = resourcesOf(synth.template, 'AWS::IAM::Role')[(fn.Properties.Role as GetAtt)['Fn::GetAtt'][0]];
  expect(role?.Properties.ManagedPolicyArns).toBeUndefined();
  const policies = role?.Properties.Policies as { PolicyDocument: { Statement: unknown[] } }[];
  expect(policies).toHaveLength(1);
  return policies[0]?.PolicyDocument.Statement ?? [];
}

function logStatement(fn: Resource) {
  const group = (fn.Properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
  return {
    Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    Effect: 'Allow',
    Resource: { 'Fn::GetAtt': [group, 'Arn'] },
  };
}

/** a single resource renders as a value, several as a list */
function oneOrMany<T>(items: readonly T[]): T | readonly T[] {
  return items.length === 1 ? (items[0] as T) : items;
}

describe.each(examples)('%s', (file) => {
  let config: Config;
  let synth: Synthesized;
  beforeAll(() => {
    config = loadConfig(file);
    // cdk-nag and CloudFormation's schema check: synthesis throws on an unacknowledged finding
    synth = synthProbes(config, { nag: true, validate: true });
  }, 240_000);

  it('synthesizes with no cdk-nag finding and no CloudFormation schema warning', () => {
    expect(validationViolations(synth.outdir)).toEqual([]);
  });

  it('synthesizes with no CDK warning or error a user could not act on', () => {
    const annotations = Annotations.fromStack(synth.stack);
    expect(annotations.findWarning('*', Match.anyValue())).toEqual([]);
    expect(annotations.findError('*', Match.anyValue())).toEqual([]);
  });

  it('deploys one query function per planned group and a fan-out function unless publish is emf', () => {
    const plan = buildPlan(config);
    const expected = plan.functions.map((fn) => fn.id);
    if (plan.fanoutFunctionName) expected.push('fanout');
    expect([...byId(synth).keys()].sort()).toEqual(expected.sort());
    const fns = resourcesOf(synth.template, 'AWS::Lambda::Function');
    expect(Object.keys(fns)).toHaveLength(expected.length);
    // CloudFormation names them: two stacks of one file coexist
    for (const fn of Object.values(fns)) expect(fn.Properties.FunctionName).toBeUndefined();
  });

  it('deploys each function with the memory chasm plan bills it at', () => {
    const { memoryMb } = estimateCost(buildPlan(config));
    const deployed = Object.fromEntries(
      [...byId(synth)].map(([id, [, fn]]) => [id, fn.Properties.MemorySize]),
    );
    const { fanout: fanoutMemory, functions } = memoryMb;
    expect(deployed).toEqual({
      ...functions,
      ...(fanoutMemory === undefined ? {} : { fanout: fanoutMemory }),
    });
  });

  it('attaches each query function to its VPC subnets and security groups, and the fan-out to none', () => {
    const plan = buildPlan(config);
    const fns = byId(synth);
    for (const planned of plan.functions) {
      const [, fn] = fns.get(planned.id) ?? [];
      const vpcConfig = fn?.Properties.VpcConfig as
        | { SubnetIds: string[]; SecurityGroupIds: unknown[] }
        | undefined;
      if (planned.vpc === undefined) {
        expect(vpcConfig).toBeUndefined();
        continue;
      }
      const vpc = config.vpcs[planned.vpc];
      expect(vpcConfig?.SubnetIds).toEqual(vpc?.subnetIds);
      if (vpc?.securityGroupIds) {
        expect(vpcConfig?.SecurityGroupIds).toEqual(vpc.securityGroupIds);
        continue;
      }
      if (!vpcConfig) throw new Error(`${planned.id} is not in its VPC`);
      const sgId = (vpcConfig.SecurityGroupIds[0] as GetAtt)['Fn::GetAtt'][0];
      const sg = resourcesOf(synth.template, 'AWS::EC2::SecurityGroup')[sgId];
      // exactly TCP to each database port on each of the VPC's cidrBlocks, or on any address without them
      const ports = [...new Set(planned.databases.map((db) => config.databases[db]?.port))];
      const blocks = vpc?.cidrBlocks ?? ['0.0.0.0/0'];
      const egress = sg?.Properties.SecurityGroupEgress as {
        CidrIp: string;
        FromPort: number;
        ToPort: number;
        IpProtocol: string;
      }[];
      expect(
        egress.map((rule) => `${rule.IpProtocol} ${rule.FromPort}-${rule.ToPort} ${rule.CidrIp}`).sort(),
      ).toEqual(ports.flatMap((port) => blocks.map((block) => `tcp ${port}-${port} ${block}`)).sort());
      if (vpc?.cidrBlocks) expect(JSON.stringify(egress)).not.toContain('0.0.0.0/0');
      expect(sg?.Properties.VpcId).toBe(vpc?.vpcId);
    }
    if (plan.fanoutFunctionName) {
      expect(fns.get('fanout')?.[1].Properties.VpcConfig).toBeUndefined();
    }
  });

  it('grants every function exactly its scoped statements', () => {
    const plan = buildPlan(config);
    const fns = byId(synth);
    for (const planned of plan.functions) {
      const [, fn] = fns.get(planned.id) ?? [];
      if (!fn) throw new Error(`missing ${planned.id}`);
      const scopes = planned.databases.flatMap((db) => {
        const database = config.databases[db];
        return database ? (rdsConnectScope(database) ?? []) : [];
      });
      const resources = [...new Set(scopes.map((scope) => scope.resource))]
        .sort()
        .map((resource) => rdsConnectArn(resource, config.region));
      expect(statementsOf(synth, fn)).toEqual([
        logStatement(fn),
        ...(planned.vpc === undefined ? [] : [ENI_STATEMENT]),
        ...(resources.length > 0
          ? [{ Action: 'rds-db:connect', Effect: 'Allow', Resource: oneOrMany(resources) }]
          : []),
      ]);
    }
    if (!plan.fanoutFunctionName) return;
    const [, fanout] = fns.get('fanout') ?? [];
    if (!fanout) throw new Error('missing the fan-out function');
    const invoked = plan.functions.map((planned) => ({
      'Fn::GetAtt': [fns.get(planned.id)?.[0], 'Arn'],
    }));
    const secrets = secretReadScope(config);
    expect(statementsOf(synth, fanout)).toEqual([
      logStatement(fanout),
      { Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: oneOrMany(invoked) },
      {
        Action: 'cloudwatch:PutMetricData',
        Condition: { StringEquals: { 'cloudwatch:namespace': config.namespace } },
        Effect: 'Allow',
        Resource: '*',
      },
      ...(secrets.secretResources.length > 0
        ? [
            {
              Action: 'secretsmanager:GetSecretValue',
              Effect: 'Allow',
              Resource: oneOrMany(secrets.secretResources),
            },
          ]
        : []),
      ...secrets.kmsDecrypt.map(({ viaService, keyArns }) => ({
        Action: 'kms:Decrypt',
        Condition: { StringEquals: { 'kms:ViaService': viaService } },
        Effect: 'Allow',
        Resource: oneOrMany(keyArns),
      })),
    ]);
  });

  it('schedules every expression of the plan with the probes it runs', () => {
    const plan = buildPlan(config);
    const fns = byId(synth);
    const actual = Object.values(resourcesOf(synth.template, 'AWS::Scheduler::Schedule')).map((s) => {
      const target = s.Properties.Target as { Arn: GetAtt; Input: string };
      return {
        expression: s.Properties.ScheduleExpression,
        target: target.Arn['Fn::GetAtt'][0],
        input: JSON.parse(target.Input),
      };
    });
    const expected = plan.schedules.flatMap((schedule) =>
      plan.fanoutFunctionName
        ? [
            {
              expression: schedule.expression,
              target: fns.get('fanout')?.[0],
              input: { probes: schedule.invocations.flatMap((i) => i.probes).sort() },
            },
          ]
        : schedule.invocations.map((invocation) => ({
            expression: schedule.expression,
            target: fns.get(invocation.functionId)?.[0],
            input: { probes: [...invocation.probes].sort() },
          })),
    );
    expect(actual).toHaveLength(expected.length);
    expect(actual).toEqual(expect.arrayContaining(expected));
  });

  it('runs Node.js 22 or newer on arm64 with JSON logs kept for the configured days', () => {
    const groups = resourcesOf(synth.template, 'AWS::Logs::LogGroup');
    for (const [, fn] of byId(synth).values()) {
      expect(Number(/^nodejs(\d+)\.x$/.exec(String(fn.Properties.Runtime))?.[1])).toBeGreaterThanOrEqual(22);
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      expect(fn.Properties.LoggingConfig).toMatchObject({ LogFormat: 'JSON' });
      const group = groups[(fn.Properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref];
      // unnamed: CloudFormation names it, as it names the function
      expect(group?.Properties).toEqual({ RetentionInDays: config.logRetentionDays });
    }
  });

  it('draws a dashboard graphing every metric, and alarms when a topic is configured', () => {
    const body = JSON.stringify(resourcesOf(synth.template, 'AWS::CloudWatch::Dashboard'));
    for (const probe of Object.values(config.probes)) {
      for (const metric of probe.metrics) expect(body).toContain(`${probe.name}: ${metric.name} (`);
    }
    if (config.health !== 'none') expect(body).toContain('ProbesFailed');
    const alarms = Object.values(resourcesOf(synth.template, 'AWS::CloudWatch::Alarm'));
    // ProbesFailed; with detailed health one query alarm per kind of run (single, fleet member);
    // each alarmed metric: one query alarm with a column dimension, else one alarm per series
    const runs = allRuns(config.probes);
    const health =
      config.health === 'detailed'
        ? 1 + Number(runs.some((run) => !run.fleet)) + Number(runs.some((run) => run.fleet))
        : config.health === 'summary'
          ? 1
          : 0;
    const metricAlarms = Object.values(config.probes).flatMap((probe) =>
      probe.metrics
        .filter((metric) => metric.alarm)
        .map((metric) => {
          const dimensions = [...Object.values(probe.dimensions), ...Object.values(metric.dimensions)];
          if (dimensions.some((source) => 'column' in source)) return 1;
          return allRuns({ [probe.name]: probe }).length * Math.max(1, probe.parameters.length);
        }),
    );
    const expected = config.alarms ? health + metricAlarms.reduce((sum, n) => sum + n, 0) : 0;
    expect(alarms).toHaveLength(expected);
    for (const alarm of alarms) {
      expect(alarm.Properties).toMatchObject({ AlarmActions: [config.alarms?.topicArn] });
    }
    if (expected > 0 && config.health !== 'none') {
      expect(alarms.map((alarm) => alarm.Properties)).toContainEqual(
        expect.objectContaining({ MetricName: 'ProbesFailed', TreatMissingData: 'breaching' }),
      );
    }
  });

  it('keeps every security group rule a resource of its group, never one of its own', () => {
    expect(resourcesOf(synth.template, 'AWS::EC2::SecurityGroupEgress')).toEqual({});
  });

  it('keeps every logical id when the maps of the file are reordered', () => {
    const flipped = synthProbes(reversed(config));
    expect(Object.keys(flipped.template.toJSON().Resources as object).sort()).toEqual(
      Object.keys(synth.template.toJSON().Resources as object).sort(),
    );
  });
});
