/**
 * Alarms on probe failure, notified to the SNS topic of `alarms.topicArn` (imported by ARN):
 * `ProbesFailed > 0` over the shortest schedule's period and, with `health: detailed`, per probe
 * (and database, for a fleet) `ProbeSuccess < 1` over its schedule's period. Missing data is breaching: the health metrics are
 * published on every run, so silence means the pipeline itself is down. With `health: none` no
 * health metric exists, so no alarm is created.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { Plan } from '../../core/plan/plan.js';
import { schedulePeriodSeconds } from '../../core/plan/schedule-period.js';
import { allRuns, DATABASE_DIMENSION } from '../../core/probe-runs.js';
import { stableId } from './construct-id.js';

export interface ProbeAlarmsProps {
  readonly plan: Plan;
  readonly topicArn: string;
}

export class ProbeAlarms extends Construct {
  readonly alarms: readonly cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: ProbeAlarmsProps) {
    super(scope, id);
    const { config } = props.plan;
    if (config.health === 'none') {
      this.alarms = [];
      return;
    }
    const action = new actions.SnsAction(sns.Topic.fromTopicArn(this, 'Topic', props.topicArn));
    const periods = new Map<string, number>();
    for (const schedule of props.plan.schedules) {
      const period = schedulePeriodSeconds(schedule.ticksPerMonth);
      for (const invocation of schedule.invocations) {
        for (const probe of invocation.probes) periods.set(probe, period);
      }
    }
    const shortest = Math.min(schedulePeriodSeconds(0), ...periods.values());

    const alarms = [
      new cloudwatch.Alarm(this, 'ProbesFailed', {
        alarmDescription: `Chasm ${config.namespace}: one or more probes failed, or no run reported (see the functions' logs)`,
        metric: new cloudwatch.Metric({
          namespace: config.namespace,
          metricName: 'ProbesFailed',
          statistic: 'Maximum',
          period: Duration.seconds(shortest),
        }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      }),
    ];
    if (config.health === 'detailed') {
      // one per probe, and per database for a fleet, as its ProbeSuccess is published
      for (const run of allRuns(config.probes)) {
        const what = run.fleet
          ? `probe '${run.probe}' on database '${run.database}'`
          : `probe '${run.probe}'`;
        alarms.push(
          new cloudwatch.Alarm(this, stableId('ProbeFailing', run.key), {
            alarmDescription: `Chasm ${config.namespace}: ${what} failed or did not report`,
            metric: new cloudwatch.Metric({
              namespace: config.namespace,
              metricName: 'ProbeSuccess',
              dimensionsMap: run.fleet
                ? { Probe: run.probe, [DATABASE_DIMENSION]: run.database }
                : { Probe: run.probe },
              statistic: 'Minimum',
              period: Duration.seconds(periods.get(run.key) ?? shortest),
            }),
            threshold: 1,
            comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
            evaluationPeriods: 1,
            treatMissingData: cloudwatch.TreatMissingData.BREACHING,
          }),
        );
      }
    }
    for (const alarm of alarms) {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
    this.alarms = alarms;
  }
}
