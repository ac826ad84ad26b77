/** What `chasm plan` prints: the readable tree and cost table, or the `--json` object. */

import { CLOUDFORMATION } from '../../core/limits.js';
import type { DatabaseConfig, MetricConfig, ProbeConfig } from '../../core/model.js';
import { type AlarmCondition, type PlannedAlarm, planAlarms } from '../../core/plan/alarm-plan.js';
import { countSeries } from '../../core/plan/billed-series.js';
import { COST_ASSUMPTIONS, type CostReport } from '../../core/plan/cost-model.js';
import { DATA_API_ACTIONS } from '../../core/plan/data-api-scope.js';
import type { FunctionPlan, Plan } from '../../core/plan/plan.js';
import { queryEgress } from '../../core/plan/query-egress.js';
import { rdsConnectScope } from '../../core/plan/rds-connect-scope.js';
import { describePeriod } from '../../core/plan/schedule-period.js';
import { countStackResources } from '../../core/plan/stack-resources.js';
import { runDimensionNames } from '../../core/probe-runs.js';

/** The `--json` object. */
export function planJson(plan: Plan, report: CostReport) {
  const { config } = plan;
  const functionOf = new Map(
    [...plan.functions, ...(plan.dataApi ? [plan.dataApi] : [])].flatMap((fn) =>
      fn.probes.map((probe) => [probe, fn.id] as const),
    ),
  );
  return {
    namespace: config.namespace,
    region: config.region ?? null,
    publish: config.publish,
    health: config.health,
    fanout:
      plan.fanoutFunctionName === undefined
        ? null
        : { functionName: plan.fanoutFunctionName, memoryMb: report.memoryMb.fanout ?? null },
    functions: plan.functions.map((fn) => ({
      ...fn,
      memoryMb: report.memoryMb.functions[fn.id] ?? null,
      rdsConnect: fn.databases.flatMap((name) => {
        const database = config.databases[name];
        const scope = database ? rdsConnectScope(database) : undefined;
        return scope ? [scope] : [];
      }),
      network: networkOf(plan, fn),
    })),
    dataApi: plan.dataApi
      ? {
          ...plan.dataApi,
          clusters: dataApiClusters(plan, plan.dataApi),
          cost: report.dataApi ?? null,
        }
      : null,
    schedules: plan.schedules,
    // one entry per probe and database, as `chasm run --json` reports them
    probes: report.series.runs.flatMap((series) => {
      const probe = config.probes[series.probe];
      if (!probe) return [];
      return {
        probe: probe.name,
        database: series.database,
        functionId: functionOf.get(series.key) ?? null,
        schedule: probe.schedule,
        ...(probe.parameters.length > 0 ? { parameters: probe.parameters.length } : {}),
        metrics: probe.metrics.map((metric) => ({
          name: metric.name,
          unit: metric.unit,
          resolution: metric.resolution,
          dimensions: dimensionNames(probe, metric),
        })),
        series: { min: series.min, max: series.max },
      };
    }),
    series: { min: report.series.min, max: report.series.max, health: report.series.health },
    alarms: {
      topicArn: config.alarms?.topicArn ?? null,
      ...report.alarms,
      items: alarmGroups(planAlarms(config)),
    },
    resources: countStackResources(plan, planAlarms(config)).total,
    cost: { items: report.cost.items, totalUsd: report.cost.totalUsd, maxTotalUsd: report.maxTotalUsd },
    natGateway: {
      gateways: report.natGateway.gateways,
      vpcs: report.natGateway.vpcs,
      items: report.natGateway.items,
      totalUsd: report.natGateway.totalUsd,
    },
    ratio: report.ratio,
    prices: { region: report.pricesRegion, stackRegion: config.region ?? null },
    assumptions: COST_ASSUMPTIONS,
  };
}

/** The readable plan: per function and database, the probes that run there and their series on it. */
export function planText(file: string, plan: Plan, report: CostReport): string {
  const { config } = plan;
  const out: string[] = [];
  const region = config.region === undefined ? '' : `, region ${config.region}`;
  out.push(
    `${file}: namespace ${config.namespace}${region}, publish: ${config.publish}, health: ${config.health}`,
  );
  const ownProbes = plan.dataApi ? " and runs the Data API databases' probes itself" : '';
  out.push(
    report.memoryMb.fanout === undefined
      ? 'no fan-out function: each query function is scheduled directly and logs its metrics (EMF)'
      : `fan-out function (outside any VPC, ${report.memoryMb.fanout} MB) invokes one query function per VPC${ownProbes}`,
  );
  out.push('');
  for (const fn of plan.functions) {
    const vpc = fn.vpc === undefined ? undefined : config.vpcs[fn.vpc];
    out.push(
      vpc
        ? `VPC ${vpc.name} (${vpc.vpcId}, ${vpc.subnetIds.length} subnet${vpc.subnetIds.length === 1 ? '' : 's'})`
        : 'outside any VPC',
    );
    const network = networkOf(plan, fn);
    if (network) out.push(`├─ ${network.summary}`);
    out.push(
      `└─ query function ${fn.id} (${fn.engines.join(', ')}), ${report.memoryMb.functions[fn.id] ?? '?'} MB`,
    );
    out.push(...databaseLines(plan, report, fn));
    out.push('');
  }
  if (plan.dataApi) {
    out.push('RDS Data API (no VPC, no query function)');
    out.push(`└─ run by the fan-out function (${plan.dataApi.engines.join(', ')})`);
    out.push(...databaseLines(plan, report, plan.dataApi));
    out.push('');
  }
  out.push('schedules');
  for (const schedule of plan.schedules) {
    const targets = schedule.invocations.map((i) => `${i.functionId} (${i.probes.length})`).join(', ');
    out.push(`  ${schedule.expression}: ${quantity(schedule.ticksPerMonth)} ticks a month → ${targets}`);
  }
  const series = countSeries(config);
  out.push('');
  out.push(
    `billed series: ${series.min} expected (${series.health} health), up to ${series.max} if every probe reaches maxSeries`,
  );
  out.push(...alarmsText(plan, report));
  out.push('');
  out.push(costTable(report));
  out.push('');
  const { gateways } = report.natGateway;
  out.push(
    `the NAT Gateway variant (a function inside each VPC, ${gateways} NAT Gateway${gateways === 1 ? '' : 's'}: ${natBasis(report)}) costs ${report.ratio.toFixed(1)}× as much`,
  );
  if (report.dataApi) {
    const { databases, requestsUsd, fanoutUsd, queryFunctionUsd } = report.dataApi;
    out.push(
      `the Data API database${databases.length === 1 ? '' : 's'} ${databases.join(', ')}: USD ${usd(requestsUsd)} a month in Data API requests and up to USD ${usd(fanoutUsd)} of the fan-out's compute, instead of USD ${usd(queryFunctionUsd)} for a query function of ${databases.length === 1 ? 'its' : 'their'} own`,
    );
  }
  out.push(
    `up to USD ${report.maxTotalUsd.toFixed(2)} a month if every probe reaches maxSeries; free tiers not counted`,
  );
  out.push(pricesText(report.pricesRegion, config.region));
  return `${out.join('\n')}\n`;
}

/** The alarms of one metric (or one health alarm), as the report lists them. */
interface AlarmGroup {
  /** the probe whose metric is watched; null for a health alarm */
  readonly probe: string | null;
  readonly metric: string;
  readonly kind: PlannedAlarm['kind'];
  /** metric alarms (one per series), or 1 query alarm */
  readonly count: number;
  /** metrics billed: one per metric alarm, every metric a query analyses (expected, at most) */
  readonly metrics: { readonly min: number; readonly max: number };
  readonly condition: AlarmCondition;
  readonly query: string | null;
  /** a query alarm's contributors: one per value of these dimensions */
  readonly groupBy: readonly string[] | null;
}

/** A metric's alarms as one group (one alarm per series), each health alarm on its own. */
function alarmGroups(alarms: readonly PlannedAlarm[]): AlarmGroup[] {
  const groups: { group: AlarmGroup; source: PlannedAlarm['source'] }[] = [];
  for (const alarm of alarms) {
    const last = groups.at(-1);
    if (last && alarm.source && last.source === alarm.source) {
      const { count, metrics } = last.group;
      last.group = {
        ...last.group,
        count: count + 1,
        metrics: { min: metrics.min + 1, max: metrics.max + 1 },
      };
      continue;
    }
    groups.push({
      source: alarm.source,
      group: {
        probe: alarm.source?.probe ?? null,
        metric: alarm.metricName,
        kind: alarm.kind,
        count: 1,
        metrics: alarm.kind === 'series' ? { min: 1, max: 1 } : alarm.metrics,
        condition: alarm.condition,
        query: alarm.kind === 'query' ? alarm.query : null,
        groupBy: alarm.kind === 'query' ? alarm.groupBy : null,
      },
    });
  }
  return groups.map(({ group }) => group);
}

/** The alarms, what each watches and what it is billed by, and the stack's size against CloudFormation's limit. */
function alarmsText(plan: Plan, report: CostReport): string[] {
  const alarms = planAlarms(plan.config);
  const resources = countStackResources(plan, alarms).total;
  const size = `the stack: ${resources} resources (CloudFormation takes ${CLOUDFORMATION.maxResources})`;
  if (alarms.length === 0)
    return ['', `no alarms${plan.config.alarms ? '' : ' (no alarms.topicArn)'}; ${size}`];
  const { metricAlarms, queryAlarms, alarmMetrics } = report.alarms;
  const out = [
    '',
    `alarms to ${plan.config.alarms?.topicArn ?? '(no topic)'}: ${metricAlarms} metric alarm${metricAlarms === 1 ? '' : 's'}, ${queryAlarms} Metrics Insights alarm${queryAlarms === 1 ? '' : 's'}, ${range(alarmMetrics)} alarm metrics billed; ${size}`,
  ];
  for (const group of alarmGroups(alarms)) {
    const { condition } = group;
    const side = condition.comparison === 'GreaterThanThreshold' ? 'above' : 'below';
    const when = `${condition.statistic} ${side} ${condition.threshold}, ${condition.datapointsToAlarm} of ${condition.evaluationPeriods} × ${describePeriod(condition.periodSeconds)}`;
    const each = group.groupBy ? ` per ${group.groupBy.join(', ')}` : '';
    const what = `${group.probe === null ? '' : `${group.probe}: `}${group.metric}${each}`;
    const how =
      group.kind === 'query'
        ? `a Metrics Insights alarm over ${range(group.metrics)} series`
        : `${group.count} metric alarm${group.count === 1 ? '' : 's'}`;
    out.push(`  ${what} (${when}): ${how}`);
  }
  return out;
}

function range({ min, max }: { readonly min: number; readonly max: number }): string {
  return min === max ? `${min}` : `${min}-${max}`;
}

/** One function's databases, each with its grants and the probes it serves there, as tree lines. */
function databaseLines(plan: Plan, report: CostReport, fn: FunctionPlan): string[] {
  const { config } = plan;
  const served = new Set(fn.probes);
  const out: string[] = [];
  fn.databases.forEach((name, d) => {
    const database = config.databases[name];
    if (!database) return;
    const lastDatabase = d === fn.databases.length - 1;
    const pad = `   ${lastDatabase ? '   ' : '│  '}`;
    out.push(
      `   ${lastDatabase ? '└─' : '├─'} database ${name} (${database.engine}, auth: ${database.auth.type})`,
    );
    const probes = report.series.runs.filter((run) => run.database === name && served.has(run.key));
    const grant = probes.length > 0 ? '│' : ' ';
    const scope = rdsConnectScope(database);
    if (scope) {
      const reach = scope.exact ? 'this database only' : 'wildcard resource id: this user on any database';
      out.push(`${pad}${grant}  rds-db:connect on ${scope.resource} (${reach})`);
    }
    if (database.dataApi) {
      out.push(`${pad}${grant}  ${DATA_API_ACTIONS.join(', ')} on ${database.dataApi.resourceArn}`);
    }
    probes.forEach((series, p) => {
      const probe = config.probes[series.probe];
      if (!probe) return;
      const last = p === probes.length - 1;
      const maps = probe.parameters.length;
      const parameters = maps > 0 ? `, ${maps} parameter map${maps === 1 ? '' : 's'}` : '';
      out.push(
        `${pad}${last ? '└─' : '├─'} probe ${probe.name}: ${probe.schedule}${parameters}, ${seriesText(series)}`,
      );
      for (const [m, metric] of probe.metrics.entries()) {
        const dims = dimensionNames(probe, metric);
        const branch = m === probe.metrics.length - 1 ? '└─' : '├─';
        out.push(
          `${pad}${last ? '   ' : '│  '}${branch} ${metric.name} (${metric.unit}, ${metric.resolution} s${dims.length ? `; ${dims.join(', ')}` : ''})`,
        );
      }
    });
  });
  return out;
}

/** The clusters the Data API databases name, each with its databases. */
function dataApiClusters(plan: Plan, fn: FunctionPlan) {
  return fn.databases.flatMap((name) => {
    const database = plan.config.databases[name];
    return database?.dataApi ? [{ database: name, resourceArn: database.dataApi.resourceArn }] : [];
  });
}

/** how the NAT variant's gateways were counted */
function natBasis(report: CostReport): string {
  const guessed = report.natGateway.vpcs.filter((vpc) => !vpc.zonesKnown).map((vpc) => vpc.vpc);
  if (guessed.length === 0) return "one per availability zone of each VPC's subnets";
  return (
    "one per availability zone of each VPC's subnets; probes.yaml does not say a subnet's zone, so each " +
    `listed subnet of ${guessed.join(', ')} counts as a zone of its own`
  );
}

/** which region's list prices the bill uses, and whether they are the stack's */
function pricesText(pricesRegion: string, stackRegion: string | undefined): string {
  const prices = `list prices of ${pricesRegion}`;
  if (stackRegion === pricesRegion) return `${prices}, the stack's region`;
  if (stackRegion === undefined) {
    return `${prices}; the stack deploys to the deploying profile's region (set region in probes.yaml), whose prices may differ`;
  }
  return `${prices}; the stack deploys to ${stackRegion}, whose prices may differ`;
}

/**
 * What a VPC's query function may reach: its own security groups, or the one Chasm creates with
 * egress to the databases' ports on the VPC's cidrBlocks (any address without them); null outside any VPC.
 */
function networkOf(plan: Plan, fn: FunctionPlan) {
  const vpc = fn.vpc === undefined ? undefined : plan.config.vpcs[fn.vpc];
  if (!vpc) return null;
  const databases = fn.databases
    .map((name) => plan.config.databases[name])
    .filter((db): db is DatabaseConfig => db !== undefined);
  const egress = queryEgress(vpc, databases);
  if (!egress) {
    const ids = vpc.securityGroupIds ?? [];
    return {
      securityGroupIds: ids,
      egress: null,
      summary: `security group${ids.length === 1 ? '' : 's'} ${ids.join(', ')} (given: their own rules apply)`,
    };
  }
  const ports = egress.ports.map((entry) => entry.port);
  const cidrBlocks = egress.cidrBlocks ?? null;
  const reach = cidrBlocks ? `on ${cidrBlocks.join(', ')}` : 'on any address: set cidrBlocks to narrow it';
  return {
    securityGroupIds: null,
    egress: { ports, cidrBlocks },
    summary: `security group created: egress to ports ${ports.join(', ')} ${reach}`,
  };
}

/** A metric's dimension names, those its probe's runs add (Database, parameters) included. */
function dimensionNames(probe: ProbeConfig, metric: MetricConfig): string[] {
  return [...Object.keys({ ...probe.dimensions, ...metric.dimensions }), ...runDimensionNames(probe)].sort();
}

function costTable(report: CostReport): string {
  const names = [...report.natGateway.items, ...report.cost.items]
    .map((item) => item.name)
    .filter((name, index, all) => all.indexOf(name) === index);
  const rows = names.map((name) => {
    const chasm = report.cost.items.find((item) => item.name === name);
    const nat = report.natGateway.items.find((item) => item.name === name);
    return [name, chasm ? usd(chasm.usd) : '-', nat ? usd(nat.usd) : '-'];
  });
  rows.push(['total', usd(report.cost.totalUsd), usd(report.natGateway.totalUsd)]);
  const header = ['monthly cost (USD)', 'Chasm', 'NAT Gateway variant'];
  const widths = header.map((title, c) =>
    Math.max(title.length, ...rows.map((row) => (row[c] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0)))
      .join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

function seriesText(series: { readonly min: number; readonly max: number }): string {
  return series.min === series.max ? `${series.min} series` : `${series.min}-${series.max} series`;
}

/** four decimals: most lines of a small job are fractions of a cent */
function usd(value: number): string {
  return value.toFixed(4);
}

function quantity(value: number): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: 2 });
}
