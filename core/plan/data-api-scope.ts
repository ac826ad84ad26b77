/**
 * What the fan-out function's role must name to run the probes of `dataApi:` databases: the RDS
 * Data API calls a probe makes, on the named clusters only. The Data API reads each database's
 * secret with the caller's permissions, which `secret-read-scope.ts` grants with the others.
 */
import { entryNamed } from '../model.js';
import type { Plan } from './plan.js';

/** A probe's calls: BeginTransaction, ExecuteStatement, RollbackTransaction (never a commit). */
export const DATA_API_ACTIONS = [
  'rds-data:BeginTransaction',
  'rds-data:ExecuteStatement',
  'rds-data:RollbackTransaction',
] as const;

/** The cluster ARNs of the `dataApi:` databases with probes, sorted, once each; empty when there are none. */
export function dataApiClusterArns(plan: Plan): string[] {
  const arns = new Set<string>();
  for (const name of plan.dataApi?.databases ?? []) {
    const database = entryNamed(plan.config.databases, name);
    if (database?.dataApi !== undefined) arns.add(database.dataApi.resourceArn);
  }
  return [...arns].sort();
}
