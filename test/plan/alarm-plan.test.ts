import { describe, expect, it } from 'vitest';
import type { Config } from '../../core/model.js';
import { planAlarms, type QueryAlarm } from '../../core/plan/alarm-plan.js';
import { config, database, probe } from '../support/config-factory.js';

/** detailed health with alarms, one probe per schedule */
function scheduled(...schedules: string[]): Config {
  return config({
    health: 'detailed',
    alarms: { topicArn: 'arn:aws:sns:eu-west-1:123456789012:alerts' },
    databases: [database({ name: 'db' })],
    probes: schedules.map((schedule, i) => probe({ name: `p${i}`, schedule })),
  });
}

function healthQuery(source: Config): QueryAlarm {
  const alarm = planAlarms(source).find((planned) => planned.key === 'ProbesFailing');
  if (alarm?.kind !== 'query') throw new Error('no health query alarm');
  return alarm;
}

describe("the detailed health alarm's window", () => {
  it('is the latest run when every probe shares one schedule', () => {
    expect(healthQuery(scheduled('rate(5 minutes)', 'rate(5 minutes)')).condition).toMatchObject({
      periodSeconds: 300,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
    });
  });

  it('spans the slowest schedule in periods of the fastest, so a slower probe stays in ALARM until its next run', () => {
    expect(healthQuery(scheduled('rate(1 minute)', 'rate(1 hour)')).condition).toMatchObject({
      periodSeconds: 60,
      evaluationPeriods: 60,
      datapointsToAlarm: 1,
      treatMissingData: 'notBreaching',
    });
  });

  it('stops at the 3 hours a Metrics Insights alarm evaluates', () => {
    expect(healthQuery(scheduled('rate(5 minutes)', 'rate(1 day)')).condition).toMatchObject({
      periodSeconds: 300,
      evaluationPeriods: 36,
    });
    expect(healthQuery(scheduled('rate(1 day)', 'rate(6 hours)')).condition).toMatchObject({
      periodSeconds: 10_800,
      evaluationPeriods: 1,
    });
  });

  it('leaves ProbesFailed on the fastest schedule, missing data breaching', () => {
    const [failed] = planAlarms(scheduled('rate(1 minute)', 'rate(1 hour)'));
    expect(failed).toMatchObject({
      kind: 'series',
      metricName: 'ProbesFailed',
      dimensions: {},
      condition: { periodSeconds: 60, evaluationPeriods: 1, treatMissingData: 'breaching' },
    });
  });

  it('is absent without a topic to notify, and in summary health', () => {
    expect(planAlarms({ ...scheduled('rate(1 minute)'), alarms: undefined })).toEqual([]);
    expect(planAlarms({ ...scheduled('rate(1 minute)'), health: 'summary' }).map((a) => a.key)).toEqual([
      'ProbesFailed',
    ]);
  });
});
