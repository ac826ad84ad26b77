/**
 * The monthly bill of a plan, line by line, set against the NAT Gateway variant of the same job:
 * one function inside each VPC that queries and publishes itself, reaching CloudWatch through a NAT
 * Gateway in each availability zone of the VPC's subnets (the Data API databases' probes in a
 * function of their own outside any VPC, as they need no NAT). Figures are estimates from the list
 * prices of one region (`pricing.ts`) and the assumptions below; functions are billed at the memory
 * `chasm synth` gives them (`function-sizing.ts`); alarms as the stack deploys them, in both
 * variants (`alarm-plan.ts`); ticks are counted per 30-day month, hourly prices per 730-hour month.
 * Free tiers are not counted.
 */

import { CLOUDWATCH } from '../limits.js';
import { type Config, entryNamed } from '../model.js';
import { parameterMaps, parseRunKey } from '../probe-runs.js';
import { planAlarms } from './alarm-plan.js';
import {
  countSeries,
  DETAILED_HEALTH_METRICS_PER_PROBE,
  type RunSeries,
  type SeriesCount,
} from './billed-series.js';
import { fanoutSize, querySize } from './function-sizing.js';
import { DATA_API_FUNCTION_ID, type Plan, type SchedulePlan } from './plan.js';
import {
  BYTES_PER_GB,
  CLOUDWATCH_LOGS_USD_PER_GB,
  CLOUDWATCH_USD_PER_ALARM_METRIC_MONTH,
  CLOUDWATCH_USD_PER_METRIC_MONTH,
  HOURS_PER_MONTH,
  LAMBDA_ARM64_USD_PER_GB_SECOND,
  LAMBDA_USD_PER_REQUEST,
  NAT_GATEWAY_USD_PER_GB,
  NAT_GATEWAY_USD_PER_HOUR,
  PRICES_REGION,
  PUBLIC_IPV4_USD_PER_HOUR,
  PUT_METRIC_DATA_USD_PER_REQUEST,
  RDS_DATA_API_USD_PER_REQUEST,
  SCHEDULER_USD_PER_INVOCATION,
} from './pricing.js';

/** What the estimate assumes about the deployed functions and their traffic. */
export const COST_ASSUMPTIONS = {
  /** a warm query invocation's fixed time (handler, connection reuse) */
  queryBaseMs: 100,
  /** one probe's round trip; a database runs up to `maxConnections` probes at once */
  msPerProbe: 50,
  /** a fan-out invocation's own time, besides waiting for the slowest query function */
  fanoutBaseMs: 100,
  msPerPutMetricDataRequest: 50,
  /** bytes of one datum in a PutMetricData request, and of one request's envelope and response */
  bytesPerDatum: 200,
  bytesPerRequest: 2000,
  /** log bytes per invocation (START, END, REPORT and a summary line) */
  logBytesPerInvocation: 600,
  /** bytes of one datum in an Embedded Metric Format log line */
  emfBytesPerDatum: 300,
  /**
   * RDS Data API requests of one query: BeginTransaction, SET TRANSACTION READ ONLY, the statement
   * timeout, the probe, RollbackTransaction, and (MySQL) restoring the session's settings
   */
  dataApiRequestsPerQuery: 6,
} as const;

/** What is known beyond the config. */
export interface CostOptions {
  /**
   * The availability zone of each subnet, where known (probes.yaml does not say it): the NAT
   * variant needs one gateway per zone of a VPC's subnets.
   */
  readonly subnetZones?: Readonly<Record<string, string>>;
}

/** The NAT Gateways of one VPC in the NAT variant. */
export interface VpcNatGateways {
  readonly vpc: string;
  /** one per availability zone of the VPC's subnets */
  readonly gateways: number;
  /** false: some subnet's zone is unknown, and each such subnet was counted as a zone of its own */
  readonly zonesKnown: boolean;
}

export interface CostItem {
  readonly name: string;
  /** per month */
  readonly quantity: number;
  readonly unit: string;
  readonly unitUsd: number;
  /** quantity × unitUsd */
  readonly usd: number;
}

export interface CostEstimate {
  readonly items: readonly CostItem[];
  readonly totalUsd: number;
}

/** The alarms of a config and the metrics they are billed by. */
export interface AlarmCount {
  /** metric alarms, one metric each */
  readonly metricAlarms: number;
  /** Metrics Insights query alarms */
  readonly queryAlarms: number;
  /** alarm metrics billed: each metric alarm's, and every metric each query analyses (expected, at most) */
  readonly alarmMetrics: { readonly min: number; readonly max: number };
}

export interface CostReport {
  readonly series: SeriesCount;
  readonly alarms: AlarmCount;
  /** at the expected series count (one per metric) */
  readonly cost: CostEstimate;
  /** the same bill if every probe emitted its `maxSeries` */
  readonly maxTotalUsd: number;
  readonly natGateway: CostEstimate & {
    readonly gateways: number;
    readonly vpcs: readonly VpcNatGateways[];
  };
  /** natGateway.totalUsd / cost.totalUsd */
  readonly ratio: number;
  /** the region whose list prices were used */
  readonly pricesRegion: string;
  /**
   * What the Data API databases' probes cost where they run, the fan-out function, against a query
   * function of their own; absent when there are none
   */
  readonly dataApi?: {
    readonly databases: readonly string[];
    /** the Data API requests, a line of `cost` */
    readonly requestsUsd: number;
    /** the fan-out's compute they take, at most (it waits for them beside its query functions) */
    readonly fanoutUsd: number;
    /** a query function serving them instead (requests, compute, logs): what the Data API saves */
    readonly queryFunctionUsd: number;
  };
  /** the memory each function is billed at, as deployed: query functions by plan id, and the fan-out's */
  readonly memoryMb: {
    readonly functions: Readonly<Record<string, number>>;
    /** absent with `publish: emf` */
    readonly fanout?: number;
  };
}

interface Usage {
  lambdaRequests: number;
  gbSeconds: number;
  putMetricDataRequests: number;
  schedulerInvocations: number;
  logBytes: number;
  natBytes: number;
  dataApiRequests: number;
}

type Bound = 'min' | 'max';

/** what every usage estimate reads, computed once per plan */
interface Facts {
  readonly config: Config;
  /** by run key (a probe on one database) */
  readonly seriesOf: ReadonlyMap<string, RunSeries>;
  /** estimated duration of each invocation of each schedule */
  readonly msOf: ReadonlyMap<SchedulePlan['invocations'][number], number>;
  /**
   * each query function's memory by plan id (the NAT variant's function in that VPC gets the same),
   * and what a function of their own would get for the Data API databases' probes
   */
  readonly memoryOf: ReadonlyMap<string, number>;
  readonly fanoutMemoryMb: number;
}

/** Prices a plan, and the NAT Gateway variant of the same job. */
export function estimateCost(plan: Plan, options: CostOptions = {}): CostReport {
  const series = countSeries(plan.config);
  const served = plan.dataApi ? [...plan.functions, plan.dataApi] : plan.functions;
  const sizes = served.map((fn) => [fn.id, querySize(plan.config, fn)] as const);
  // the fan-out waits for its own Data API probes as for a query function
  const fanoutMemoryMb = fanoutSize(sizes.map(([, size]) => size)).memoryMb;
  const facts: Facts = {
    memoryOf: new Map(sizes.map(([id, size]) => [id, size.memoryMb])),
    fanoutMemoryMb,
    config: plan.config,
    seriesOf: new Map(series.runs.map((run) => [run.key, run])),
    msOf: new Map(
      plan.schedules.flatMap((schedule) =>
        schedule.invocations.map(
          (invocation) => [invocation, queryMs(plan.config, invocation.probes)] as const,
        ),
      ),
    ),
  };
  const alarms = countAlarms(plan.config);
  const cost = price(plan, series.min, alarms.alarmMetrics.min, chasmUsage(plan, facts, 'min'));
  const maxTotalUsd = price(
    plan,
    series.max,
    alarms.alarmMetrics.max,
    chasmUsage(plan, facts, 'max'),
  ).totalUsd;
  const vpcs = plan.functions.flatMap((fn) =>
    fn.vpc === undefined ? [] : [natGatewaysOf(plan.config, fn.vpc, options.subnetZones ?? {})],
  );
  const gateways = vpcs.reduce((sum, vpc) => sum + vpc.gateways, 0);
  const nat = price(plan, series.min, alarms.alarmMetrics.min, natUsage(plan, facts), gateways);
  return {
    series,
    alarms,
    cost,
    maxTotalUsd,
    natGateway: { ...nat, gateways, vpcs },
    ratio: cost.totalUsd === 0 ? 0 : nat.totalUsd / cost.totalUsd,
    pricesRegion: PRICES_REGION,
    ...(plan.dataApi ? { dataApi: dataApiCost(plan, facts, plan.dataApi.databases) } : {}),
    memoryMb: {
      functions: Object.fromEntries(plan.functions.map((fn) => [fn.id, facts.memoryOf.get(fn.id) ?? 0])),
      ...(plan.config.publish === 'fanout' ? { fanout: fanoutMemoryMb } : {}),
    },
  };
}

/** The config's alarms, as the stack deploys them (`alarm-plan.ts`). */
function countAlarms(config: Config): AlarmCount {
  let metricAlarms = 0;
  let queryAlarms = 0;
  const alarmMetrics = { min: 0, max: 0 };
  for (const alarm of planAlarms(config)) {
    if (alarm.kind === 'series') {
      metricAlarms += 1;
      alarmMetrics.min += 1;
      alarmMetrics.max += 1;
    } else {
      queryAlarms += 1;
      alarmMetrics.min += alarm.metrics.min;
      alarmMetrics.max += alarm.metrics.max;
    }
  }
  return { metricAlarms, queryAlarms, alarmMetrics };
}

/** One gateway per zone of the VPC's subnets; a subnet of unknown zone counts as a zone of its own. */
function natGatewaysOf(
  config: Config,
  vpc: string,
  subnetZones: Readonly<Record<string, string>>,
): VpcNatGateways {
  const subnets = entryNamed(config.vpcs, vpc)?.subnetIds ?? [];
  const zones = new Set<string>();
  let unknown = 0;
  for (const subnet of subnets) {
    const zone = entryNamed(subnetZones, subnet);
    if (zone === undefined) unknown += 1;
    else zones.add(zone);
  }
  return { vpc, gateways: Math.max(1, zones.size + unknown), zonesKnown: unknown === 0 };
}

function chasmUsage(plan: Plan, facts: Facts, bound: Bound): Usage {
  const usage = emptyUsage();
  const emf = plan.config.publish === 'emf';
  for (const schedule of plan.schedules) {
    const ticks = schedule.ticksPerMonth;
    let datums = plan.config.health === 'none' ? 0 : 1;
    let slowestMs = 0;
    let invocations = 0;
    for (const invocation of schedule.invocations) {
      const ms = facts.msOf.get(invocation) ?? 0;
      slowestMs = Math.max(slowestMs, ms);
      datums += datumsOf(facts, invocation.probes, bound);
      if (invocation.functionId === DATA_API_FUNCTION_ID) {
        // run in the fan-out's own process, within the time it waits for its slowest invocation
        usage.dataApiRequests += ticks * dataApiRequestsOf(facts.config, invocation.probes);
        continue;
      }
      invocations += 1;
      usage.gbSeconds += ticks * gbSeconds(memoryOf(facts, invocation.functionId), ms);
    }
    if (emf) {
      // each query function is scheduled directly and logs its metrics
      usage.lambdaRequests += ticks * invocations;
      usage.schedulerInvocations += ticks * invocations;
      usage.logBytes +=
        ticks *
        (invocations * COST_ASSUMPTIONS.logBytesPerInvocation + datums * COST_ASSUMPTIONS.emfBytesPerDatum);
      continue;
    }
    const requests = Math.ceil(datums / CLOUDWATCH.maxDatumsPerRequest);
    const fanoutMs =
      COST_ASSUMPTIONS.fanoutBaseMs + slowestMs + requests * COST_ASSUMPTIONS.msPerPutMetricDataRequest;
    usage.lambdaRequests += ticks * (1 + invocations);
    usage.gbSeconds += ticks * gbSeconds(facts.fanoutMemoryMb, fanoutMs);
    usage.putMetricDataRequests += ticks * requests;
    usage.schedulerInvocations += ticks;
    usage.logBytes += ticks * (1 + invocations) * COST_ASSUMPTIONS.logBytesPerInvocation;
  }
  return usage;
}

/** One function per VPC (and the VPC-less one) that queries and publishes by itself. */
function natUsage(plan: Plan, facts: Facts): Usage {
  const usage = emptyUsage();
  const inVpc = new Set(plan.functions.filter((fn) => fn.vpc !== undefined).map((fn) => fn.id));
  for (const schedule of plan.schedules) {
    const ticks = schedule.ticksPerMonth;
    schedule.invocations.forEach((invocation, index) => {
      // ProbesFailed goes out once per tick, with the first function's data
      const health = index === 0 && plan.config.health !== 'none' ? 1 : 0;
      const datums = health + datumsOf(facts, invocation.probes, 'min');
      const requests = Math.ceil(datums / CLOUDWATCH.maxDatumsPerRequest);
      const ms = (facts.msOf.get(invocation) ?? 0) + requests * COST_ASSUMPTIONS.msPerPutMetricDataRequest;
      usage.lambdaRequests += ticks;
      usage.schedulerInvocations += ticks;
      usage.gbSeconds += ticks * gbSeconds(memoryOf(facts, invocation.functionId), ms);
      usage.putMetricDataRequests += ticks * requests;
      usage.logBytes += ticks * COST_ASSUMPTIONS.logBytesPerInvocation;
      if (invocation.functionId === DATA_API_FUNCTION_ID)
        usage.dataApiRequests += ticks * dataApiRequestsOf(facts.config, invocation.probes);
      if (inVpc.has(invocation.functionId)) {
        usage.natBytes +=
          ticks * (requests * COST_ASSUMPTIONS.bytesPerRequest + datums * COST_ASSUMPTIONS.bytesPerDatum);
      }
    });
  }
  return usage;
}

/**
 * The Data API databases' share of the bill: their Data API requests and the fan-out's compute
 * they take, against a query function of their own invoked on each of their schedules' ticks.
 */
function dataApiCost(plan: Plan, facts: Facts, databases: readonly string[]) {
  let requests = 0;
  let fanoutSeconds = 0;
  let functionSeconds = 0;
  let invocations = 0;
  for (const schedule of plan.schedules) {
    for (const invocation of schedule.invocations) {
      if (invocation.functionId !== DATA_API_FUNCTION_ID) continue;
      const ms = facts.msOf.get(invocation) ?? 0;
      requests += schedule.ticksPerMonth * dataApiRequestsOf(facts.config, invocation.probes);
      fanoutSeconds += schedule.ticksPerMonth * gbSeconds(facts.fanoutMemoryMb, ms);
      functionSeconds += schedule.ticksPerMonth * gbSeconds(memoryOf(facts, DATA_API_FUNCTION_ID), ms);
      invocations += schedule.ticksPerMonth;
    }
  }
  return {
    databases,
    requestsUsd: requests * RDS_DATA_API_USD_PER_REQUEST,
    fanoutUsd: fanoutSeconds * LAMBDA_ARM64_USD_PER_GB_SECOND,
    queryFunctionUsd:
      invocations * LAMBDA_USD_PER_REQUEST +
      functionSeconds * LAMBDA_ARM64_USD_PER_GB_SECOND +
      (invocations * COST_ASSUMPTIONS.logBytesPerInvocation * CLOUDWATCH_LOGS_USD_PER_GB) / BYTES_PER_GB,
  };
}

/** the Data API requests of one tick of some probe runs: a query per parameter map */
function dataApiRequestsOf(config: Config, probes: readonly string[]): number {
  let queries = 0;
  for (const key of probes) {
    const probe = entryNamed(config.probes, parseRunKey(key).probe);
    queries += probe ? parameterMaps(probe).length : 1;
  }
  return queries * COST_ASSUMPTIONS.dataApiRequestsPerQuery;
}

/** the datums some probe runs send per tick: their series plus their `detailed` health metrics */
function datumsOf(facts: Facts, probes: readonly string[], bound: Bound): number {
  const health = facts.config.health === 'detailed' ? DETAILED_HEALTH_METRICS_PER_PROBE : 0;
  let datums = 0;
  for (const name of probes) datums += (facts.seriesOf.get(name)?.[bound] ?? 0) + health;
  return datums;
}

/**
 * one invocation's estimated duration: databases in parallel, `maxConnections` queries at a time
 * each (a probe run makes one per parameter map)
 */
function queryMs(config: Config, probes: readonly string[]): number {
  const perDatabase = new Map<string, number>();
  for (const key of probes) {
    const { probe: name, database: member } = parseRunKey(key);
    const probe = entryNamed(config.probes, name);
    const database = member ?? (typeof probe?.database === 'string' ? probe.database : '');
    const queries = probe ? parameterMaps(probe).length : 1;
    perDatabase.set(database, (perDatabase.get(database) ?? 0) + queries);
  }
  let rounds = 0;
  for (const [database, count] of perDatabase) {
    const connections = Math.max(1, entryNamed(config.databases, database)?.maxConnections ?? 1);
    rounds = Math.max(rounds, Math.ceil(count / connections));
  }
  return COST_ASSUMPTIONS.queryBaseMs + rounds * COST_ASSUMPTIONS.msPerProbe;
}

function memoryOf(facts: Facts, functionId: string): number {
  const memoryMb = facts.memoryOf.get(functionId);
  if (memoryMb === undefined)
    throw new Error(`a schedule invokes function '${functionId}', which the plan lacks`);
  return memoryMb;
}

function gbSeconds(memoryMb: number, ms: number): number {
  return (memoryMb / 1024) * (ms / 1000);
}

function emptyUsage(): Usage {
  return {
    lambdaRequests: 0,
    gbSeconds: 0,
    putMetricDataRequests: 0,
    schedulerInvocations: 0,
    logBytes: 0,
    natBytes: 0,
    dataApiRequests: 0,
  };
}

function price(
  plan: Plan,
  series: number,
  alarmMetrics: number,
  usage: Usage,
  natGateways = 0,
): CostEstimate {
  const items: CostItem[] = [
    item('custom metrics', series, 'metric-month', CLOUDWATCH_USD_PER_METRIC_MONTH),
    item('Lambda requests', usage.lambdaRequests, 'request', LAMBDA_USD_PER_REQUEST),
    item('Lambda compute (arm64)', usage.gbSeconds, 'GB-second', LAMBDA_ARM64_USD_PER_GB_SECOND),
  ];
  if (usage.putMetricDataRequests > 0 || plan.config.publish === 'fanout' || natGateways > 0) {
    items.push(
      item('PutMetricData requests', usage.putMetricDataRequests, 'request', PUT_METRIC_DATA_USD_PER_REQUEST),
    );
  }
  if (usage.dataApiRequests > 0) {
    items.push(item('RDS Data API requests', usage.dataApiRequests, 'request', RDS_DATA_API_USD_PER_REQUEST));
  }
  items.push(
    item(
      'EventBridge Scheduler invocations',
      usage.schedulerInvocations,
      'invocation',
      SCHEDULER_USD_PER_INVOCATION,
    ),
    item('CloudWatch Logs ingestion', usage.logBytes / BYTES_PER_GB, 'GB', CLOUDWATCH_LOGS_USD_PER_GB),
  );
  if (alarmMetrics > 0) {
    items.push(
      item('CloudWatch alarms', alarmMetrics, 'alarm metric-month', CLOUDWATCH_USD_PER_ALARM_METRIC_MONTH),
    );
  }
  if (natGateways > 0) {
    items.push(
      item('NAT Gateway hours', natGateways * HOURS_PER_MONTH, 'gateway-hour', NAT_GATEWAY_USD_PER_HOUR),
      item('NAT Gateway data processed', usage.natBytes / BYTES_PER_GB, 'GB', NAT_GATEWAY_USD_PER_GB),
      item('public IPv4 addresses', natGateways * HOURS_PER_MONTH, 'address-hour', PUBLIC_IPV4_USD_PER_HOUR),
    );
  }
  return { items, totalUsd: items.reduce((sum, line) => sum + line.usd, 0) };
}

function item(name: string, quantity: number, unit: string, unitUsd: number): CostItem {
  return { name, quantity, unit, unitUsd, usd: quantity * unitUsd };
}
