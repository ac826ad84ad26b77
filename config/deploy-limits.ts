/**
 * The third phase, on the built `Config`: limits only the whole deployment shows, each reported
 * where the file crosses it. The stack's resources (CloudFormation takes 500 a stack, the CDK's
 * metadata resource included), counted as synthesis creates them (`core/plan/stack-resources.ts`):
 * reported at the metric alarm that brings the 501st. Its Metrics Insights alarms (200 per account
 * and Region by default): at the 201st. Each query alarm's text (2,048 characters) and the metrics
 * its query may analyse (10,000; beyond, CloudWatch evaluates the first 10,000 it finds).
 */
import { CLOUDFORMATION, CLOUDWATCH_ALARMS } from '../core/limits.js';
import type { Config } from '../core/model.js';
import { type AlarmSource, type PlannedAlarm, planAlarms } from '../core/plan/alarm-plan.js';
import { buildPlan } from '../core/plan/plan.js';
import { CDK_METADATA_RESOURCES, countStackResources } from '../core/plan/stack-resources.js';
import { allRuns, parameterMaps, probeRuns } from '../core/probe-runs.js';
import type { PendingIssue } from './pending-issue.js';

export function deployLimitIssues(config: Config): PendingIssue[] {
  const alarms = planAlarms(config);
  const issues = [...queryAlarmIssues(config, alarms), ...healthQueryIssues(config)];
  const resources = countStackResources(buildPlan(config), alarms);
  const limit = CLOUDFORMATION.maxResources;
  let total = resources.base + CDK_METADATA_RESOURCES;
  if (total > limit) {
    issues.push({
      path: ['probes'],
      at: 'key',
      message: `the stack would hold ${total} resources before any metric's alarm (functions, schedules, dashboards, health alarms); CloudFormation takes ${limit} a stack: split the probes across several files, one stack each`,
    });
    return issues;
  }
  for (const { source, resources: added } of resources.metricAlarms) {
    total += added;
    if (total <= limit) continue;
    const metric = config.probes[source.probe]?.metrics[source.metric];
    issues.push({
      path: alarmPath(source),
      at: 'key',
      message: `the alarm of metric '${metric?.name}' of probe '${source.probe}' is ${added} metric alarm${added === 1 ? '' : 's'} (one per series), bringing the stack to ${total} resources; CloudFormation takes ${limit} a stack (its CDK metadata included): alarm on fewer series, give the metric a dimension from a column (one Metrics Insights alarm for all its series), or split the probes across several files`,
    });
    break;
  }
  return issues;
}

function alarmPath(source: AlarmSource): string[] {
  return ['probes', source.probe, 'metrics', String(source.metric), 'alarm'];
}

/** Each metric's query alarm: its length, the metrics it may analyse, and how many such alarms there are. */
function queryAlarmIssues(config: Config, alarms: readonly PlannedAlarm[]): PendingIssue[] {
  const issues: PendingIssue[] = [];
  const quota = CLOUDWATCH_ALARMS.metricsInsightsAlarms;
  let count = 0;
  for (const alarm of alarms) {
    if (alarm.kind !== 'query') continue;
    count += 1;
    if (!alarm.source) continue;
    const probe = config.probes[alarm.source.probe];
    const metric = probe?.metrics[alarm.source.metric];
    if (!probe || !metric) continue;
    const path = alarmPath(alarm.source);
    const owner = `metric '${metric.name}' of probe '${probe.name}'`;
    if (count === quota + 1) {
      issues.push({
        path,
        at: 'key',
        message: `the alarm of ${owner} is Metrics Insights alarm ${count} of this file; CloudWatch allows ${quota} per account and Region unless its quota is raised: give fewer metrics with a dimension from a column an alarm`,
      });
    }
    const length = alarm.query.length;
    if (length > CLOUDWATCH_ALARMS.maxExpressionLength) {
      issues.push({
        path,
        at: 'key',
        message: `the Metrics Insights query of the alarm of ${owner} is ${length} characters; CloudWatch takes ${CLOUDWATCH_ALARMS.maxExpressionLength}: shorten the namespace, the metric's name or its dimensions' names and static values`,
      });
    }
    const most = CLOUDWATCH_ALARMS.metricsInsightsMaxMetrics;
    if (alarm.metrics.max > most) {
      const runs = probeRuns(probe).length * parameterMaps(probe).length;
      const factors =
        runs === 1 ? `maxSeries ${probe.maxSeries}` : `maxSeries ${probe.maxSeries} × ${runs} runs`;
      issues.push({
        path,
        at: 'key',
        message: `the alarm of ${owner} may watch up to ${alarm.metrics.max} series (${factors}); a Metrics Insights alarm analyses at most ${most}, the first it finds: lower maxSeries to ${Math.floor(most / runs)} or less`,
      });
    }
  }
  return issues;
}

/** The detailed health alarm's query analyses at most 10,000 ProbeSuccess series: one per probe run. */
function healthQueryIssues(config: Config): PendingIssue[] {
  if (!config.alarms || config.health !== 'detailed') return [];
  const most = CLOUDWATCH_ALARMS.metricsInsightsMaxMetrics;
  const counted = { single: 0, fleet: 0 };
  for (const run of allRuns(config.probes)) {
    const schema = run.fleet ? 'fleet' : 'single';
    counted[schema] += 1;
    if (counted[schema] !== most + 1) continue;
    return [
      {
        path: ['probes', run.probe],
        at: 'key',
        message: `probe '${run.probe}'${run.fleet ? ` on database '${run.database}'` : ''} makes ${most + 1} ${run.fleet ? 'fleet ' : ''}probe runs whose ProbeSuccess the detailed health alarm watches; its Metrics Insights query analyses at most ${most}: use health: summary, or split the probes across several files`,
      },
    ];
  }
  return [];
}
