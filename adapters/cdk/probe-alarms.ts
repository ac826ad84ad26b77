/**
 * The config's CloudWatch alarms (`core/plan/alarm-plan.ts`: probe failure, and each metric's
 * `alarm`), each notifying the SNS topic of `alarms.topicArn` (imported by ARN) when it goes to
 * ALARM and back to OK. A metric alarm watches one series; a Metrics Insights query alarm watches
 * every series its query groups, each a contributor. Each is a plain `AWS::CloudWatch::Alarm`
 * with no fixed name.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { AlarmCondition, PlannedAlarm } from '../../core/plan/alarm-plan.js';
import { stableId } from './construct-id.js';

export interface ProbeAlarmsProps {
  /** what to deploy, `planAlarms(config)` */
  readonly alarms: readonly PlannedAlarm[];
  readonly topicArn: string;
}

export class ProbeAlarms extends Construct {
  readonly alarms: readonly cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: ProbeAlarmsProps) {
    super(scope, id);
    const action = new actions.SnsAction(sns.Topic.fromTopicArn(this, 'Topic', props.topicArn));
    this.alarms = props.alarms.map((planned) => {
      // a health alarm's key is a plain id; a metric's holds its probe's, metric's and series' names
      const alarmId = planned.source ? stableId('Alarm', planned.key) : planned.key;
      const alarm = new cloudwatch.Alarm(this, alarmId, {
        alarmDescription: planned.description,
        metric: watched(planned),
        ...alarmCondition(planned.condition),
      });
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
      return alarm;
    });
  }
}

function watched(planned: PlannedAlarm): cloudwatch.IMetric {
  const period = Duration.seconds(planned.condition.periodSeconds);
  if (planned.kind === 'query') {
    return new cloudwatch.MathExpression({ expression: planned.query, usingMetrics: {}, period });
  }
  return new cloudwatch.Metric({
    namespace: planned.namespace,
    metricName: planned.metricName,
    dimensionsMap: { ...planned.dimensions },
    statistic: planned.condition.statistic,
    period,
  });
}

function alarmCondition(condition: AlarmCondition) {
  return {
    threshold: condition.threshold,
    comparisonOperator:
      condition.comparison === 'GreaterThanThreshold'
        ? cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD
        : cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
    evaluationPeriods: condition.evaluationPeriods,
    // CloudWatch's own default is all of them
    ...(condition.datapointsToAlarm === condition.evaluationPeriods
      ? {}
      : { datapointsToAlarm: condition.datapointsToAlarm }),
    treatMissingData: MISSING_DATA[condition.treatMissingData],
  };
}

const MISSING_DATA: Readonly<Record<AlarmCondition['treatMissingData'], cloudwatch.TreatMissingData>> = {
  breaching: cloudwatch.TreatMissingData.BREACHING,
  notBreaching: cloudwatch.TreatMissingData.NOT_BREACHING,
  ignore: cloudwatch.TreatMissingData.IGNORE,
  missing: cloudwatch.TreatMissingData.MISSING,
};
