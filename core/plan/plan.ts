/**
 * The plan: which function serves which probes, which schedule invokes what, how many
 * billed series, and what it all costs. Pure: derived from a `Config` alone.
 */

import type { FunctionPlan } from '../manifest.js';
import { type Config, entryNamed } from '../model.js';
import { allRuns, probeRuns } from '../probe-runs.js';
import { functionName } from './function-name.js';
import { parseSchedule } from './schedule.js';

export type { FunctionPlan };

/** id of the function outside any VPC */
export const NO_VPC_FUNCTION_ID = 'no-vpc';
/** id of the probes the fan-out function runs itself, on `dataApi:` databases */
export const DATA_API_FUNCTION_ID = 'data-api';
/** id of the public fan-out function (`publish: fanout` only) */
export const FANOUT_FUNCTION_ID = 'fanout';

/** One schedule expression and the probes it runs (run keys, `core/probe-runs.ts`), grouped per function. */
export interface SchedulePlan {
  readonly expression: string;
  /** ticks per 30-day month */
  readonly ticksPerMonth: number;
  readonly invocations: readonly { readonly functionId: string; readonly probes: readonly string[] }[];
}

export interface Plan {
  readonly config: Config;
  /** the query functions: one per VPC with probes, one outside any VPC */
  readonly functions: readonly FunctionPlan[];
  /**
   * The probes on `dataApi:` databases, which the fan-out function runs in its own process over
   * the RDS Data API: no query function, no VPC. Absent when no database with probes has `dataApi`.
   */
  readonly dataApi?: FunctionPlan;
  readonly schedules: readonly SchedulePlan[];
  /** the public fan-out function's name in reports (see `function-name.ts`); absent with `publish: emf` (there is none) */
  readonly fanoutFunctionName?: string;
}

/**
 * Derives the plan from a validated config: one query function per VPC whose databases have
 * probes (`vpc-<name>`), one outside any VPC (`no-vpc`) for VPC-less databases with probes, the
 * fan-out's own share for `dataApi:` databases (`data-api`), and one schedule per distinct
 * expression. A fleet probe's run on each database goes to the function that reaches that
 * database. Everything keeps the config's order.
 * Throws when the config breaks what validation guarantees (an unknown database, a bad schedule).
 */
export function buildPlan(config: Config): Plan {
  const runs = allRuns(config.probes);
  const databasesWithProbes = new Set<string>();
  for (const run of runs) {
    if (!entryNamed(config.databases, run.database)) {
      throw new Error(`probe '${run.probe}' names unknown database '${run.database}'`);
    }
    databasesWithProbes.add(run.database);
  }

  // one group per VPC in config order, then the one outside any VPC
  const groups = new Map<string, { vpc?: string; databases: string[]; probes: string[] }>();
  for (const vpc of Object.keys(config.vpcs)) groups.set(`vpc-${vpc}`, { vpc, databases: [], probes: [] });
  groups.set(NO_VPC_FUNCTION_ID, { databases: [], probes: [] });
  groups.set(DATA_API_FUNCTION_ID, { databases: [], probes: [] });
  const functionOfDatabase = new Map<string, string>();
  for (const database of Object.values(config.databases)) {
    if (!databasesWithProbes.has(database.name)) continue;
    const id =
      database.dataApi !== undefined
        ? DATA_API_FUNCTION_ID
        : database.vpc === undefined
          ? NO_VPC_FUNCTION_ID
          : `vpc-${database.vpc}`;
    const group = groups.get(id);
    if (!group) throw new Error(`database '${database.name}' names unknown vpc '${database.vpc}'`);
    group.databases.push(database.name);
    functionOfDatabase.set(database.name, id);
  }

  // runs in config order, per function (that of the run's database) and per schedule expression
  const byExpression = new Map<string, Map<string, string[]>>();
  for (const probe of Object.values(config.probes)) {
    const perFunction = byExpression.get(probe.schedule) ?? new Map<string, string[]>();
    byExpression.set(probe.schedule, perFunction);
    for (const run of probeRuns(probe)) {
      const id = functionOfDatabase.get(run.database) ?? NO_VPC_FUNCTION_ID;
      groups.get(id)?.probes.push(run.key);
      const list = perFunction.get(id) ?? [];
      list.push(run.key);
      perFunction.set(id, list);
    }
  }

  const functions: FunctionPlan[] = [];
  let dataApi: FunctionPlan | undefined;
  for (const [id, group] of groups) {
    if (group.databases.length === 0) continue;
    const engines = [
      ...new Set(group.databases.map((name) => entryNamed(config.databases, name)?.engine ?? '')),
    ];
    const planned: FunctionPlan = {
      id,
      functionName: functionName(config.namespace, id),
      ...(group.vpc === undefined ? {} : { vpc: group.vpc }),
      databases: group.databases,
      engines,
      probes: group.probes,
    };
    if (id === DATA_API_FUNCTION_ID) dataApi = planned;
    else functions.push(planned);
  }
  const routes = dataApi ? [...functions, dataApi] : functions;

  const schedules: SchedulePlan[] = [...byExpression].map(([expression, perFunction]) => {
    const parsed = parseSchedule(expression);
    if ('error' in parsed) throw new Error(`schedule '${expression}': ${parsed.error}`);
    return {
      expression,
      ticksPerMonth: parsed.ticksPerMonth,
      // functions in plan order, the fan-out's own share last
      invocations: routes
        .filter((fn) => perFunction.has(fn.id))
        .map((fn) => ({ functionId: fn.id, probes: perFunction.get(fn.id) ?? [] })),
    };
  });

  const fanout =
    config.publish === 'fanout'
      ? { fanoutFunctionName: functionName(config.namespace, FANOUT_FUNCTION_ID) }
      : {};
  const names = [...routes.map((fn) => fn.functionName), ...Object.values(fanout)];
  if (new Set(names).size !== names.length) {
    throw new Error(`two functions share a name: ${names.join(', ')}`);
  }
  return { config, functions, schedules, ...fanout, ...(dataApi ? { dataApi } : {}) };
}
