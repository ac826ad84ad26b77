/**
 * The cross checks of a metric's `alarm`: it has a topic to notify (`alarms.topicArn`), its
 * `datapoints` fit in its `for`, and the time it evaluates (`for` periods of the probe's schedule)
 * is one CloudWatch evaluates: a day for a period under an hour, seven days otherwise, and 3 hours
 * for a Metrics Insights query alarm (a metric with a dimension from a column), whose probe must
 * then run at least every 3 hours. Like the other cross checks it reads a document the schema may
 * have rejected.
 */
import { CLOUDWATCH_ALARMS } from '../core/limits.js';
import { DEFAULTS } from '../core/model.js';
import { parseSchedule } from '../core/plan/schedule.js';
import { describePeriod, expressionPeriodSeconds } from '../core/plan/schedule-period.js';
import { type PendingIssue, pointerOf } from './pending-issue.js';

type Entries = Readonly<Record<string, unknown>>;
type Add = (path: readonly string[], at: PendingIssue['at'], message: string) => void;

export interface AlarmContext {
  /** the probe's name and its schedule expression, as it resolves (probe, defaults, top level) */
  readonly probe: string;
  readonly schedule: unknown;
  /** the metric, as messages name it: `'Orders'` or its position */
  readonly metric: string;
  /** the dimensions whose values come from a column, the probe's and the metric's */
  readonly columnDimensions: readonly string[];
  /** whether the file names an alarm topic (or one the schema refused: then nothing is said) */
  readonly topic: 'named' | 'absent' | 'refused';
  readonly reported: ReadonlySet<string>;
}

function isMap(value: unknown): value is Entries {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks the `alarm` of the metric at `metricPath`. */
export function checkAlarm(
  metric: Entries,
  metricPath: readonly string[],
  context: AlarmContext,
  add: Add,
): void {
  const alarm = metric.alarm;
  const path = [...metricPath, 'alarm'];
  if (!isMap(alarm) || context.reported.has(pointerOf(path))) return;
  const owner = `metric ${context.metric} of probe '${context.probe}'`;
  if (context.topic === 'absent') {
    add(
      path,
      'key',
      `${owner} has an alarm, but the file names no alarms.topicArn for it to notify; add alarms: { topicArn: arn:aws:sns:REGION:ACCOUNT:TOPIC }`,
    );
  }
  const given = (key: string): number | undefined => {
    const value = alarm[key];
    return Number.isInteger(value) && !context.reported.has(pointerOf([...path, key]))
      ? (value as number)
      : undefined;
  };
  const periods = given('for');
  const datapoints = given('datapoints');
  if (datapoints !== undefined && datapoints > (periods ?? DEFAULTS.alarmFor)) {
    const count = periods ?? DEFAULTS.alarmFor;
    add(
      [...path, 'datapoints'],
      'value',
      `datapoints ${datapoints} is more than the ${count} period${count === 1 ? '' : 's'} the alarm evaluates (for: ${count}); make it at most ${count}, or raise for`,
    );
  }
  if (typeof context.schedule !== 'string' || 'error' in parseSchedule(context.schedule)) return;
  const period = expressionPeriodSeconds(context.schedule);
  const count = periods ?? DEFAULTS.alarmFor;
  const span = `${count} period${count === 1 ? '' : 's'} of ${describePeriod(period)}`;
  if (context.columnDimensions.length > 0) {
    const window = CLOUDWATCH_ALARMS.metricsInsightsWindowSeconds;
    const why = `${owner} has ${describeColumns(context.columnDimensions)} from a column, so its alarm is a Metrics Insights query alarm, which evaluates the latest ${describePeriod(window)} only`;
    if (period > window) {
      add(
        path,
        'key',
        `${why}, and the probe runs every ${describePeriod(period)} (${context.schedule}); run it at least every ${describePeriod(window)}, or alarm on a metric whose dimensions are all static`,
      );
    } else if (periods !== undefined && period * periods > window) {
      add(
        [...path, 'for'],
        'value',
        `${why}: for: ${span} is longer; make for at most ${Math.floor(window / period)}`,
      );
    }
    return;
  }
  const limit =
    period < CLOUDWATCH_ALARMS.longPeriodSeconds
      ? CLOUDWATCH_ALARMS.maxEvaluationSeconds
      : CLOUDWATCH_ALARMS.maxLongEvaluationSeconds;
  if (periods !== undefined && period * periods > limit) {
    add(
      [...path, 'for'],
      'value',
      `for: ${span} is longer than the ${describePeriod(limit)} CloudWatch evaluates for a period ${period < CLOUDWATCH_ALARMS.longPeriodSeconds ? 'under' : 'of'} an hour${period < CLOUDWATCH_ALARMS.longPeriodSeconds ? '' : ' or more'}; make for at most ${Math.floor(limit / period)}`,
    );
  }
}

function describeColumns(names: readonly string[]): string {
  const quoted = names.map((name) => `'${name}'`);
  return names.length === 1 ? `dimension ${quoted[0]}` : `dimensions ${quoted.join(', ')}`;
}
