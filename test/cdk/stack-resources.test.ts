// The stack's size: what validation counts against CloudFormation's 500 resources is what synthesis creates.
import { describe, expect, it } from 'vitest';
import { deployLimitIssues } from '../../config/deploy-limits.js';
import { CLOUDFORMATION } from '../../core/limits.js';
import type { Config } from '../../core/model.js';
import { planAlarms } from '../../core/plan/alarm-plan.js';
import { buildPlan } from '../../core/plan/plan.js';
import { CDK_METADATA_RESOURCES, countStackResources } from '../../core/plan/stack-resources.js';
import { config, database, metric, probe, vpc } from '../support/config-factory.js';
import { resourcesOf, synthProbes } from './synth-probes.js';
import { wideConfig } from './wide-config.js';

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:alerts';

function templateResources(source: Config): number {
  return Object.keys(synthProbes(source).template.toJSON().Resources as object).length;
}

function counted(source: Config): number {
  return countStackResources(buildPlan(source), planAlarms(source)).total;
}

/** `count` probes on one database of a VPC, in detailed health with alarms */
function manyProbes(count: number): Config {
  return config({
    health: 'detailed',
    alarms: { topicArn: TOPIC },
    vpcs: [vpc('app')],
    databases: [database({ name: 'main', vpc: 'app' })],
    probes: Array.from({ length: count }, (_, i) =>
      probe({ name: `probe-${i}`, database: 'main', metrics: [metric({ name: `Value${i}` })] }),
    ),
  });
}

describe("the stack's resources", () => {
  const cases: Record<string, Config> = {
    'two VPCs, both engines, three schedules, detailed health, metric and query alarms': wideConfig(),
    'publish: emf, a schedule per function and expression': config({
      publish: 'emf',
      vpcs: [vpc('app'), vpc('own', { securityGroupIds: ['sg-0123456789abcdef0'] })],
      databases: [
        database({ name: 'a', vpc: 'app' }),
        database({ name: 'b', vpc: 'own' }),
        database({ name: 'c' }),
      ],
      probes: [
        probe({ name: 'p', database: 'a' }),
        probe({ name: 'q', database: 'b', schedule: 'rate(1 hour)' }),
        probe({ name: 'r', database: 'c', schedule: 'rate(1 hour)' }),
      ],
    }),
    'a fleet with parameters and an alarm per series, no dashboard health': config({
      health: 'none',
      alarms: { topicArn: TOPIC },
      databases: [database({ name: 'eu' }), database({ name: 'us' })],
      probes: [
        probe({
          name: 'by-status',
          database: ['eu', 'us'],
          sql: 'SELECT 1 AS n WHERE :status IS NOT NULL',
          parameters: [{ status: 'open' }, { status: 'held' }, { status: 'done' }],
          parameterDimensions: { status: 'Status' },
          metrics: [
            metric({
              name: 'Orders',
              alarm: {
                comparison: 'above',
                threshold: 1,
                for: 1,
                datapoints: 1,
                statistic: 'Maximum',
                missing: 'missing',
              },
            }),
          ],
        }),
      ],
    }),
    '460 metrics: two dashboards': manyProbes(460),
  };

  it.each(Object.entries(cases))('are counted as synthesis creates them: %s', (_, source) => {
    expect(counted(source)).toBe(templateResources(source));
  });

  it('hold 2,000 probes in detailed health with alarms: one query alarm watches every probe', () => {
    // prepare: one alarm per probe made 600 probes 613 resources, past CloudFormation's 500
    const source = manyProbes(2000);

    // act
    const { template } = synthProbes(source);

    // assess
    const resources = Object.keys(template.toJSON().Resources as object).length;
    expect(resources + CDK_METADATA_RESOURCES).toBeLessThanOrEqual(CLOUDFORMATION.maxResources);
    expect(resources).toBe(counted(source));
    const alarms = Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    expect(alarms.map((alarm) => alarm.MetricName ?? 'query').sort()).toEqual(['ProbesFailed', 'query']);
    // and validation, which counts the same way, lets it through
    expect(deployLimitIssues(source)).toEqual([]);
  });
});
