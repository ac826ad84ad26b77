/**
 * The resources the generated stack declares, counted as the CDK app creates them, against
 * CloudFormation's 500 a stack: each function is a function, a role (its policy inline) and a log
 * group, a scheduled one also an invoke configuration (no retries); a VPC whose security groups
 * Chasm creates adds one; each schedule is one, and each function a schedule invokes has a role for
 * it; each dashboard page (450 widgets) is one; each alarm is one. The CDK CLI adds its own
 * metadata resource when it deploys (`CDK_METADATA_RESOURCES`).
 */
import type { Config } from '../model.js';
import type { AlarmSource, PlannedAlarm } from './alarm-plan.js';
import type { Plan } from './plan.js';

/** Widgets on one dashboard: CloudWatch allows 500, further widgets go on further dashboards. */
export const WIDGETS_PER_DASHBOARD = 450;

/** The `AWS::CDK::Metadata` resource the CDK CLI adds to the template it deploys. */
export const CDK_METADATA_RESOURCES = 1;

/** Resources of a function: the function, its role and its log group. */
const FUNCTION_RESOURCES = 3;

export interface StackResources {
  /** everything but the metrics' alarms */
  readonly base: number;
  /** the alarms each metric's `alarm` adds, in the file's order */
  readonly metricAlarms: readonly { readonly source: AlarmSource; readonly resources: number }[];
  /** base plus the metrics' alarms: the template's resources as `chasm synth` writes it */
  readonly total: number;
}

/** The widgets of a config's dashboard: its health graphs and one graph per metric. */
export function dashboardWidgets(config: Config): number {
  const health = config.health === 'none' ? 0 : config.health === 'summary' ? 1 : 3;
  const metrics = Object.values(config.probes).reduce((sum, probe) => sum + probe.metrics.length, 0);
  return health + metrics;
}

/** Counts the stack's resources; `dashboard: false` as the `Probes` construct's prop of that name. */
export function countStackResources(
  plan: Plan,
  alarms: readonly PlannedAlarm[],
  options: { readonly dashboard?: boolean } = {},
): StackResources {
  const { config } = plan;
  const emf = config.publish === 'emf';
  let base = 0;
  for (const fn of plan.functions) {
    base += FUNCTION_RESOURCES + (emf ? 1 : 0);
    const vpc = fn.vpc === undefined ? undefined : config.vpcs[fn.vpc];
    if (vpc && vpc.securityGroupIds === undefined) base += 1;
  }
  if (!emf) base += FUNCTION_RESOURCES + 1;
  const targets = new Set<string>();
  for (const schedule of plan.schedules) {
    if (emf) {
      base += schedule.invocations.length;
      for (const invocation of schedule.invocations) targets.add(invocation.functionId);
    } else {
      base += 1;
      targets.add('fanout');
    }
  }
  base += targets.size;
  if (options.dashboard !== false) base += Math.ceil(dashboardWidgets(config) / WIDGETS_PER_DASHBOARD);

  const metricAlarms: { source: AlarmSource; resources: number }[] = [];
  for (const alarm of alarms) {
    if (!alarm.source) {
      base += 1;
      continue;
    }
    const last = metricAlarms.at(-1);
    if (last && last.source.probe === alarm.source.probe && last.source.metric === alarm.source.metric)
      last.resources += 1;
    else metricAlarms.push({ source: alarm.source, resources: 1 });
  }
  const total = metricAlarms.reduce((sum, entry) => sum + entry.resources, base);
  return { base, metricAlarms, total };
}
